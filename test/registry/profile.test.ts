// The registry (Go's NewProfile, Lookup, Profiles, Profile methods) on custom
// profiles: counts, stacks and skip, the pprof file as go tool pprof reads
// it, Go's debug=1 text, and the error paths.

import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile, lookup, profiles, type Profile } from "../../src/index.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { needGo, parseTop } from "../helpers/tools.ts";
import { toFile, toText, failingWriter, pprof, here } from "./_helpers.ts";

let seq = 0;
const fresh = (): Profile => newProfile(`tsprof.test/registry-${process.pid}-${seq++}`);

const lines: Record<string, number> = {};
function openConnA(p: Profile, v: object): void {
  lines.A = here(); p.add(v, 0);
}
function openConnB(p: Profile, v: object): void {
  lines.B = here(); p.add(v, 0);
}

/** Five resources from two call sites, one removed: 3 from A, 1 from B. */
function fiveMinusOne(): { p: Profile; values: object[] } {
  const p = fresh();
  const values = [{}, {}, {}, {}, {}];
  for (const v of values.slice(0, 3)) openConnA(p, v);
  for (const v of values.slice(3)) openConnB(p, v);
  p.remove(values[4]!);
  return { p, values };
}

test("count() follows add and remove; remove of an unknown value is a no-op", () => {
  const { p } = fiveMinusOne();
  assert.equal(p.count(), 4);
  p.remove({});
  p.remove(undefined);
  assert.equal(p.count(), 4);
});

test("writeTo(w, 0) loads in go tool pprof with 3 and 1 under the functions that added them", async (t) => {
  if (!needGo(t)) return;
  const { p } = fiveMinusOne();
  const path = await toFile("custom.pb.gz", (w) => p.writeTo(w, 0));
  const decoded = decodeProfile(gunzipSync(readFileSync(path)));
  assert.deepEqual(decoded.sampleType, [{ type: p.name(), unit: "count" }]);
  assert.deepEqual(decoded.periodType, { type: p.name(), unit: "count" });
  assert.equal(decoded.period, 1);
  const rows = parseTop(pprof(["-top", path]));
  const flat = Object.fromEntries(rows.map((r) => [r.name, Number(r.flat)]));
  assert.equal(flat.openConnA, 3);
  assert.equal(flat.openConnB, 1);
  const raw = pprof(["-raw", path]);
  assert.match(raw, new RegExp(`openConnA .*registry/profile\\.test\\.ts:${lines.A}`));
});

test("writeTo(w, 1) prints Go's count-profile text: header, then each stack by count", async () => {
  const { p } = fiveMinusOne();
  const text = await toText((w) => p.writeTo(w, 1));
  const blocks = text.split("\n\n");
  assert.equal(blocks[0]!.split("\n")[0], `${p.name()} profile: total 4`);
  const first = blocks[0]!.split("\n").slice(1);
  const second = blocks[1]!.split("\n");
  // Most frequent first; `N @ addr...` then one `#` line per frame.
  assert.match(first[0]!, /^3 @( 0x[0-9a-f]+)+$/);
  assert.match(second[0]!, /^1 @( 0x[0-9a-f]+)+$/);
  const addrs = first[0]!.split(" ").slice(2);
  assert.equal(first.length - 1, addrs.length, "one # line per address");
  assert.match(first[1]!, new RegExp(`^#\\t${addrs[0]}\\topenConnA\\+0x0\\t+\\S*registry/profile\\.test\\.ts:${lines.A}$`));
  assert.match(second[1]!, new RegExp(`^#\\t0x[0-9a-f]+\\topenConnB\\+0x0\\t+\\S*registry/profile\\.test\\.ts:${lines.B}$`));
  assert.ok(text.endsWith("\n\n"), "each record ends with an empty line");
});

test("add(value, skip): 0 is the caller of add, 1 its caller, too many gives lostProfileEvent", async () => {
  const p = fresh();
  function helper(v: object, skip: number): void { p.add(v, skip); }
  function callerOfHelper(v: object, skip: number): void { helper(v, skip); }
  callerOfHelper({}, 0);
  callerOfHelper({}, 1);
  callerOfHelper({}, 1000);
  const data = await p.collect();
  const leaves = data.sample.map((s) => s.location[0]!.line[0]!.function.name).sort();
  assert.deepEqual(leaves, ["callerOfHelper", "helper", "tsprof.lostProfileEvent"]);
  const skip1 = data.sample.find((s) => s.location[0]!.line[0]!.function.name === "callerOfHelper")!;
  assert.ok(!skip1.location.some((l) => l.line[0]!.function.name === "helper"), "skip=1 drops helper");
});

test("add of a value already present throws; the same value can come back after remove", () => {
  const p = fresh();
  const v = { id: 1 };
  p.add(v);
  assert.throws(() => p.add(v), /pprof: Profile.Add of duplicate value/);
  p.remove(v);
  p.add(v);
  assert.equal(p.count(), 1);
  assert.throws(() => p.add({}, -1), RangeError);
  assert.throws(() => p.add({}, 1.5), RangeError);
});

test("newProfile refuses a taken or empty name; lookup and profiles see custom and predefined ones", () => {
  const p = fresh();
  assert.throws(() => newProfile(p.name()), new RegExp(`pprof: NewProfile name already in use: ${p.name()}`));
  assert.throws(() => newProfile("heap"), /pprof: NewProfile name already in use: heap/);
  assert.throws(() => newProfile(""), /pprof: NewProfile with empty name/);
  assert.equal(lookup(p.name()), p);
  assert.equal(lookup("no such profile"), undefined);
  const names = profiles().map((x) => x.name());
  assert.deepEqual(names, [...names].sort());
  for (const n of ["allocs", "heap", p.name()]) assert.ok(names.includes(n), n);
});

test("predefined profiles refuse add and remove", () => {
  for (const name of ["heap", "allocs"]) {
    const p = lookup(name)!;
    assert.throws(() => p.add({}), new RegExp(`pprof: Add called on built-in Profile ${name}`));
    assert.throws(() => p.remove({}), new RegExp(`pprof: Remove called on built-in Profile ${name}`));
  }
});

test("a failing or closed writer rejects writeTo at every debug level; the profile keeps its entries", async () => {
  const { p } = fiveMinusOne();
  for (const debug of [0, 1]) await assert.rejects(p.writeTo(failingWriter(), debug), /writing profile: disk full/);
  const closed = failingWriter();
  closed.destroy();
  await assert.rejects(p.writeTo(closed, 0), /profile writer is closed/);
  await assert.rejects(p.writeTo(failingWriter(), 0.5), RangeError);
  assert.equal(p.count(), 4);
});

test("an empty custom profile writes a valid file and a zero total", async (t) => {
  const p = fresh();
  assert.equal(await toText((w) => p.writeTo(w, 1)), `${p.name()} profile: total 0\n`);
  if (!needGo(t)) return;
  const path = await toFile("empty.pb.gz", (w) => p.writeTo(w, 0));
  assert.match(pprof(["-raw", path]), new RegExp(`PeriodType: ${p.name().replace(/[/.]/g, "\\$&")} count`));
});
