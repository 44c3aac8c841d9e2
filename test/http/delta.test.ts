// deltaProfile: after − before, matching locations of two collections whose
// addresses and mapping ranges were numbered independently.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import { encodeProfile } from "../../src/profile/encode.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { deltaProfile } from "../../src/http/delta.ts";

const frame = (name: string, line: number): Frame => ({ name, file: "/app/x.js", line, column: 1, startLine: line - 1 });
const a = [frame("openA", 10), frame("main", 50)];
const b = [frame("openB", 20), frame("main", 51)];
const c = [frame("openC", 30), frame("main", 52)];

function profile(entries: [Frame[], number][]): ReturnType<ProfileBuilder["build"]> {
  const builder = new ProfileBuilder({ sampleType: [{ type: "goroutine", unit: "count" }], periodType: { type: "goroutine", unit: "count" }, period: 1 });
  for (const [stack, n] of entries) builder.addSample(stack, [n]);
  return builder.build();
}

test("deltaProfile subtracts sample by sample, drops what cancels and keeps negatives", () => {
  // Different insertion orders: the same stacks get different addresses in each.
  const before = profile([[a, 3], [b, 2]]);
  const after = profile([[c, 4], [b, 2], [a, 1]]);
  const delta = deltaProfile(before, 1_000_000_000n, after, 3_500_000_000n);
  const byLeaf = Object.fromEntries(delta.sample.map((s) => [s.location[0]!.line[0]!.function.name, s.value[0]]));
  assert.deepEqual(byLeaf, { openA: -2, openC: 4 });
  assert.equal(delta.timeNanos, 3_500_000_000n);
  assert.equal(delta.durationNanos, 2_500_000_000);
  // Valid as a profile: distinct nonzero addresses, inside the mapping, and it round-trips.
  const addresses = delta.location.map((l) => l.address);
  assert.equal(new Set(addresses).size, addresses.length);
  assert.ok(addresses.every((x) => x > 0n && x < delta.mapping[0]!.limit));
  const back = decodeProfile(encodeProfile(delta));
  assert.equal(back.sample.length, 2);
  // The inputs are left as they were.
  assert.equal(before.sample[0]!.value[0], 3);
  assert.equal(after.location[0]!.address, 1n);
});

test("deltaProfile of incompatible profiles throws (answered as 'failed to compute delta')", () => {
  const other = new ProfileBuilder({ sampleType: [{ type: "x", unit: "count" }], periodType: { type: "x", unit: "count" }, period: 1 }).build();
  assert.throws(() => deltaProfile(profile([[a, 1]]), 0n, other, 1n), /incompatible/);
});
