// Go's count-profile text from profile data: grouping, order (count, then the
// `@` line), labels, frames without a function, and the heap text's totals.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import { countProfileText, heapProfileText } from "../../src/registry/text.ts";

const f = (name: string, line: number): Frame => ({ name, file: "/app/x.ts", line, column: 0, startLine: 1 });

function build(add: (b: ProfileBuilder) => void) {
  const b = new ProfileBuilder({ sampleType: [{ type: "p", unit: "count" }], periodType: { type: "p", unit: "count" }, period: 1 });
  add(b);
  return b.build();
}

test("count text: most frequent first, ties by address line, labels after the @ line, one # line per frame", () => {
  const p = build((b) => {
    b.addSample([f("b", 2), f("main", 9)], [1]); // locations 0x1 0x2
    b.addSample([f("a", 5), f("main", 9)], [2]); // 0x3 0x2
    b.addSample([f("a", 5)], [2], { route: "/x", job: "q\"1" }); // 0x3, labelled
    b.addSample([{ name: "", file: "", line: 0, column: 0, startLine: 0 }], [1]); // 0x4, unknown function
  });
  const want = [
    "p profile: total 6",
    "2 @ 0x3",
    '# labels: {"job":"q\\"1", "route":"/x"}',
    "#\t0x3\ta+0x0\t/app/x.ts:5",
    "",
    "2 @ 0x3 0x2",
    "#\t0x3\ta+0x0\t\t/app/x.ts:5",
    "#\t0x2\tmain+0x0\t/app/x.ts:9",
    "",
    "1 @ 0x1 0x2",
    "#\t0x1\tb+0x0\t\t/app/x.ts:2",
    "#\t0x2\tmain+0x0\t/app/x.ts:9",
    "",
    "1 @ 0x4",
    "#\t0x4",
    "",
    "",
  ].join("\n");
  assert.equal(countProfileText("p", p), want);
});

test("count text: samples with the same stack and labels add up; zero counts are left out of the records", () => {
  const p = build((b) => {
    b.addSample([f("a", 1)], [1]);
    b.addSample([f("a", 1)], [1]);
    b.addSample([f("z", 1)], [0]);
  });
  assert.equal(countProfileText("p", p), "p profile: total 2\n2 @ 0x1\n#\t0x1\ta+0x0\t/app/x.ts:1\n\n");
});

test("heap text: header totals, 2*rate, records by in-use bytes, +1 on alloc bytes when equal to in-use", () => {
  const b = new ProfileBuilder({ sampleType: [], periodType: { type: "space", unit: "bytes" }, period: 8 });
  const loc = (fr: Frame) => [b.locationFor(fr)];
  const text = heapProfileText(
    [
      { inuseObjects: 1, inuseBytes: 16, allocObjects: 1, allocBytes: 16, location: loc(f("small", 3)) },
      { inuseObjects: 2, inuseBytes: 64, allocObjects: 2, allocBytes: 64, location: loc(f("big", 4)) },
    ],
    512,
    "# trailer = 1\n",
  );
  assert.equal(
    text,
    [
      "heap profile: 3: 80 [3: 81] @ heap/1024",
      "2: 64 [2: 64] @ 0x2",
      "#\t0x2\tbig+0x0\t/app/x.ts:4",
      "",
      "1: 16 [1: 16] @ 0x1",
      "#\t0x1\tsmall+0x0\t/app/x.ts:3",
      "",
      "",
      "# trailer = 1",
      "",
    ].join("\n"),
  );
});
