import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProfileBuilder } from "../../src/profile/builder.ts";
import { encodeProfile, encodeProfileGzipSync } from "../../src/profile/encode.ts";
import { decodeProfile, ProfileParseError } from "../../src/profile/decode.ts";
import { goPprof, needGo, parseTop } from "../helpers/tools.ts";

function sampleProfile() {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: 10_000_000,
    durationNanos: 3e9,
    mappingFile: "/app/main.js",
  });
  const main = { name: "main", file: "/app/main.js", line: 10, column: 3, startLine: 5 };
  const hot = { name: "hot", file: "/app/main.js", line: 22, column: 3, startLine: 20 };
  const cold = { name: "cold", file: "/app/main.js", line: 32, column: 3, startLine: 30 };
  for (let i = 0; i < 200; i++) b.addSample([hot, main], [1, 1e7], { job: "a" });
  for (let i = 0; i < 100; i++) b.addSample([cold, main], [1, 1e7], { job: "b" }, { bytes: { value: -976 + (i % 2) * 2000 } });
  b.addSample([{ ...hot, line: 23 }, main], [1, 2 ** 40 + 7]);
  return b.build();
}

test("encode/decode round trip keeps every field", () => {
  const p = sampleProfile();
  const d = decodeProfile(encodeProfileGzipSync(p));
  assert.equal(d.sample.length, 4);
  assert.deepEqual(d.sampleType, p.sampleType);
  assert.equal(d.period, 10_000_000);
  assert.equal(d.timeNanos, p.timeNanos);
  assert.equal(d.durationNanos, 3e9);
  assert.deepEqual(d.sample[0]!.value, [200, 2e9]);
  assert.deepEqual(d.sample[0]!.label, { job: ["a"] });
  assert.deepEqual(d.sample.map((s) => s.numLabel.bytes?.[0]).slice(1, 3).sort(), [-976, 1024]);
  assert.deepEqual(d.sample[3]!.value, [1, 2 ** 40 + 7]);
  assert.equal(d.sample[3]!.location[0]!.line[0]!.line, 23);
  assert.equal(d.sample[3]!.location[1]!.line[0]!.function.name, "main");
  assert.equal(d.mapping[0]!.hasFunctions, true);
});

test("decode rejects malformed input with pprof's messages", () => {
  assert.throws(() => decodeProfile(new Uint8Array()), /empty input file/);
  assert.throws(() => decodeProfile(new Uint8Array([0x1f, 0x8b, 1, 2, 3])), /decompressing profile/);
  const good = encodeProfile(sampleProfile());
  assert.throws(() => decodeProfile(good.subarray(0, good.length - 7)), ProfileParseError);
  assert.throws(() => decodeProfile(new Uint8Array([0x0a, 0x50, 1])), ProfileParseError);
});

test("go tool pprof reads the encoded profile", (t) => {
  if (!needGo(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "tsprof-"));
  const file = join(dir, "p.pb.gz");
  writeFileSync(file, encodeProfileGzipSync(sampleProfile()));
  const rows = parseTop(goPprof(["-top", "-sample_index=samples", file]));
  assert.equal(rows[0]!.name, "hot");
  assert.equal(rows[0]!.flat, "201");
  assert.equal(rows[1]!.name, "cold");
  assert.equal(rows[1]!.flat, "100");
  const tags = goPprof(["-tags", file]);
  assert.match(tags, /2\.0s \(66\.67%\): a/);
  const raw = goPprof(["-raw", file]);
  assert.match(raw, /1: 0x1 M=1 hot \/app\/main\.js:22 s=20/);
});
