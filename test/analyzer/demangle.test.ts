// go tool pprof "demangles" every function name: names that look like C++
// (<, >, [, ], ::) lose their (...) and <...> groups. tsprof pprof does the same,
// so its reports stay equal to Go's on names V8 gives, such as
// <instance_members_initializer> and (top level [eval]).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ProfileBuilder } from "../../src/profile/builder.ts";
import { encodeProfile } from "../../src/profile/encode.ts";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";

const NAMES = [
  "<instance_members_initializer>",
  "(top level [eval])",
  "std::vector<int>::push_back(int)",
  "Foo.<init>",
  "plain(with parens)",
  "Outer::inner",
  "broken>(x)<",
];

function profileFile(): string {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }],
    periodType: { type: "samples", unit: "count" },
    period: 1,
  });
  NAMES.forEach((name, i) => b.addSample([{ name, file: "/app/x.js", line: 10 + i, column: 0, startLine: 5 }], [i + 1]));
  const file = join(mkdtempSync(join(tmpdir(), "tsprof-demangle-")), "names.pb.gz");
  writeFileSync(file, gzipSync(encodeProfile(b.build())));
  return file;
}

test("names that look like C++ lose their (...) and <...> groups; others are kept", () => {
  const b = new ProfileBuilder({ sampleType: [{ type: "samples", unit: "count" }], periodType: { type: "samples", unit: "count" }, period: 1 });
  NAMES.forEach((name, i) => b.addSample([{ name, file: "/app/x.js", line: 1, column: 0, startLine: 1 }], [i + 1]));
  const p = parseProfileBytes(encodeProfile(b.build()));
  const byOriginal = Object.fromEntries(p.function.map((f) => [f.systemName, f.name]));
  assert.deepEqual(byOriginal, {
    "<instance_members_initializer>": "",
    "(top level [eval])": "",
    "std::vector<int>::push_back(int)": "std::vector::push_back",
    "Foo.<init>": "Foo.<init>",
    "plain(with parens)": "plain(with parens)",
    "Outer::inner": "Outer::inner",
    "broken>(x)<": "broken><", // () removed; the unmatched > stops the <> pass
  });
});

test("-top and -raw print what go tool pprof prints for such names", async (t) => {
  if (!needGo(t)) return;
  const file = profileFile();
  for (const flag of ["-top", "-raw"]) {
    const ours = await runPprof([flag, file]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, goPprof([flag, file]), flag);
  }
});
