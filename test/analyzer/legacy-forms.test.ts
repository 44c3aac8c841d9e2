// The rarer forms of legacy text profiles, written here line by line and
// compared with go tool pprof's reading of the same file: heap_v2,
// heapprofile and growthz headers, C++ contentionz attributes, counts in
// Go's base-0 syntax, threadz dumps, memory map sections, CRLF line ends; and
// the errors for texts that are no profile or a broken one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";
import { assertRawLikeGo } from "./legacy-helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "tsprof-legacy-forms-"));
const maps = "00400000-00452000 r-xp 00000000 08:02 173521      /nonexistent/bin/program\n";

const forms: Record<string, string> = {
  "heap_v2, the rate as it is": "heap profile: 2: 2048 [4: 4096] @ heap_v2/524288\n2: 2048 [4: 4096] @ 0x401000 0x402000\n1: 1000000 [1: 1000000] @ 0x401000\n",
  "heapprofile: nothing unsampled": "heap profile: 2: 2048 [2: 2048] @ heapprofile\n2: 2048 [2: 2048] @ 0x401000\n",
  "heap without allocation totals: objects and space": "heap profile: 3: 300 [0: 0] @ heap/1048576\n3: 300 [0: 0] @ 0x401000 0x402000\n",
  "growthz": "heap profile: 1: 100 [1: 100] @ growthz\n1: 100 [1: 100] @ 0x401000\n",
  "negative in-use values": "heap profile: 1: 64 [2: 128] @ heap/1024\n-1: -64 [1: 64] @ 0x401000\n2: 128 [1: 64] @ 0x402000\n",
  "heap with a memory map": "heap profile: 1: 64 [2: 128] @ heap/2\n1: 64 [2: 128] @ 0x401000\n\nMAPPED_LIBRARIES:\n" + maps,
  "contentionz attributes": "--- contentionz 1 ---\ncycles/second = 2000000000\nsampling period = 3\nms since reset = 1500\ndiscarded samples = 0\n100 2 @ 0x401000 0x402000\n1234 @ 0x401000\n",
  "contention without a period": "--- contention:\ncycles/second=0x3b9aca00\n5000 7 @ 0x401000\n",
  "counts in base-0 syntax, then a memory map": "foo profile: total 9\n010 @ 0x401000 0x402000\n1 @ 0x402000\n--- Memory map: ---\n" + maps,
  "threadz: a thread per sample, repeats counted, a duplicated leaf removed": [
    "--- threadz 1 ---", "",
    "--- Thread 7f6f1c4b5700 (name: main/12345) stack: ---", "  PC: 0x400510 0x400621 0x400731",
    "--- Thread 7f6f1c4b5800 (name: worker/1/12346) stack: ---", "  same as previous thread",
    "--- Thread 7f6f1c4b5900 (name: io/12347) stack: ---", "  PC: 0x400520 0x400520 0x400631",
    "--- Thread 7f6f1c4b5a00 (name: idle/12348) stack: ---", "  PC: 0x400530",
    "--- Memory map: ---", maps,
  ].join("\n"),
  "thread blocks without the threadz header, ending at a thread without a stack":
    "--- Thread 1a (name: a/1) stack: ---\n0x401000 0x402001\n--- Thread 1b (name: b/2) stack: ---\n0x401000 0x402001\n---- no stack trace for 1c\n",
  "CRLF line ends": "goroutine profile: total 2\r\n2 @ 0x401000 0x402000\r\n#\t0x400fff\tmain.f+0x1\t/x/f.go:3\r\n\r\n",
};

test("rarer legacy forms: types, periods, durations and per-stack values as go tool pprof reads them", async (t) => {
  if (!needGo(t)) return;
  let i = 0;
  for (const [what, text] of Object.entries(forms)) {
    const file = join(tmp, `form-${i++}.txt`);
    writeFileSync(file, text);
    await t.test(what, async () => {
      await assertRawLikeGo(file);
    });
  }
});

test("the values behind those forms", () => {
  const p = (text: string) => parseProfileBytes(Buffer.from(text));
  const v2 = p(forms["heap_v2, the rate as it is"]!);
  assert.equal(v2.period, 524288);
  // 1 MB objects at a 512 KiB rate: scaled by 1/(1-e^-(1e6/524288)).
  const scale = 1 / (1 - Math.exp(-1e6 / 524288));
  assert.deepEqual(v2.sample[1]!.value, [Math.trunc(scale), Math.trunc(1e6 * scale), Math.trunc(scale), Math.trunc(1e6 * scale)]);
  assert.deepEqual(p(forms["heapprofile: nothing unsampled"]!).sample[0]!.value, [2, 2048]);
  assert.deepEqual(p(forms["heap without allocation totals: objects and space"]!).sampleType.map((s) => s.type), ["objects", "space"]);
  const cz = p(forms["contentionz attributes"]!);
  assert.equal(cz.period, 3);
  assert.equal(cz.durationNanos, 1500e6);
  // Counts times 3; 100 cycles at 2 GHz, times 3: 150 ns. "1234 @" is read as Go's pattern splits it: 123 cycles, 4 contentions.
  assert.deepEqual(cz.sample.map((s) => s.value), [[6, 150], [12, 184]]);
  const counts = p(forms["counts in base-0 syntax, then a memory map"]!);
  assert.deepEqual(counts.sample.map((s) => s.value[0]), [8, 1]);
  assert.deepEqual(counts.mapping.map((m) => m.file), ["/nonexistent/bin/program"]);
  const threads = p(forms["threadz: a thread per sample, repeats counted, a duplicated leaf removed"]!);
  assert.deepEqual(threads.sampleType, [{ type: "thread", unit: "count" }]);
  assert.deepEqual(threads.sample.map((x) => `${x.value[0]}: ${x.location.map((l) => l.address.toString(16)).join(" ")}`),
    ["2: 400510 400620 400730", "1: 400520 400630", "1: 400530"]);
  const crlf = p(forms["CRLF line ends"]!);
  assert.equal(crlf.location[0]!.line[0]!.function.name, "main.f");
  assert.equal(crlf.location[0]!.line[0]!.function.filename, "/x/f.go");
});

test("comments naming one address twice: an inlined call and its caller, or direct recursion", () => {
  const inlined = parseProfileBytes(Buffer.from("goroutine profile: total 1\n1 @ 0x1001 0x2001\n#\t0x1000\tinner+0x1\t/x/a.go:3\n#\t0x1000\touter+0x5\t/x/a.go:9\n#\t0x2000\tmain+0x5\t/x/a.go:20\n\n"));
  assert.deepEqual(inlined.sample[0]!.location.map((l) => l.line.map((ln) => `${ln.function.name}:${ln.line}`)), [["inner:3", "outer:9"], ["main:20"]]);
  const recursive = parseProfileBytes(Buffer.from("goroutine profile: total 1\n1 @ 0x1001 0x1001\n#\t0x1000\tf+0x1\t/x/a.go:3\n#\t0x1000\tf+0x1\t/x/a.go:3\n\n"));
  assert.deepEqual(recursive.sample[0]!.location.map((l) => l.line.map((ln) => ln.function.name)), [["f"], ["f"]]);
});

test("a text without comment lines keeps addresses only, with go tool pprof's frame filters", () => {
  const p = parseProfileBytes(Buffer.from(forms["heap_v2, the rate as it is"]!));
  assert.ok(p.location.every((l) => l.line.length === 0));
  assert.equal(p.function.length, 0);
  assert.match(p.dropFrames, /^calloc\|cfree\|malloc\|/);
  assert.equal(p.keepFrames, "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*");
  assert.match(parseProfileBytes(Buffer.from(forms["contentionz attributes"]!)).dropFrames, /^RecordLockProfileData\|/);
  // Named from comments: none (Go's texts leave runtime.goexit unnamed, which would cut every stack there).
  assert.equal(parseProfileBytes(Buffer.from(forms["CRLF line ends"]!)).dropFrames, "");
});

test("errors: a text that is no profile, a recognized one that is broken, binary garbage", async () => {
  const file = (name: string, data: string | Buffer) => {
    const f = join(tmp, name);
    writeFileSync(f, data);
    return f;
  };
  const cases: [string, RegExp][] = [
    [file("prose.txt", "hello, this is no profile\n"), /: parsing profile: unrecognized profile format: not a pprof protobuf, V8 JSON or legacy text profile$/],
    [file("bad-count.txt", "goroutine profile: total 3\n3 @ 0x1 zz\n"), /: parsing profile: malformed goroutine profile: line 2: not a "COUNT @ ADDRESSES" record: 3 @ 0x1 zz$/],
    [file("bad-heap.txt", "heap profile: 1: 2 [3: 4] @ heap/2\n0: 5 [1: 1] @ 0x1\n"), /: parsing profile: malformed heap profile: line 2: inuse count was 0 but inuse bytes was 5$/],
    [file("bad-address.txt", "heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0x10000000000000000\n"), /line 2: an address does not fit in 64 bits$/],
    [file("long-line.txt", "threadcreate profile: total 1\n1 @" + " 0x1".repeat(20000) + "\n"), /line 2 is longer than 65536 bytes$/],
    [file("garbage.bin", Buffer.from([0x0a, 0x50, 0x01, 0x00, 0xff])), /: parsing profile: /],
  ];
  for (const [f, re] of cases) {
    const r = await runPprof(["-top", f]);
    assert.notEqual(r.code, 0, f);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), re);
  }
  // Binary bytes keep the protobuf decoder's own message.
  const garbage = await runPprof(["-top", cases.at(-1)![0]]);
  assert.doesNotMatch(garbage.stderr, /unrecognized profile format/);
});

test("hostile lines: each parser's longest lines end in an error or a profile, in work linear in their length", { timeout: 60_000 }, async () => {
  const long = 60_000;
  const cases: [string, RegExp | undefined][] = [
    ["heap profile: 1: 2 [3: 4] @ heap/2\n" + "1".repeat(long) + "\n", /malformed heap profile: line 2: not a sample/],
    ["heap profile: 1: 2 [3: 4] @ heap/2\n" + "1: 1 [".repeat(long / 6) + "\n", /malformed heap profile: line 2: not a sample/],
    ["heap profile:" + " heap profile: 1".repeat(long / 16) + "\n", /unrecognized profile format/],
    ["--- contention:\ncycles/second=1\n" + "12 ".repeat(long / 3) + "\n", /unrecognized profile format/],
    ["goroutine profile: total 1\n1 @" + " 0x1".repeat(long / 4) + "\n", undefined],
    ["--- Thread 1 (name: " + "/1) stack: --- ".repeat(long / 16) + "\n", /unrecognized profile format/],
    ["foo profile: total 1\n1 @ 0x1\n--- Memory map: ---\n" + "a=$a$a$a$a\n".repeat(100) + "$a".repeat(long / 2) + "\n", undefined],
  ];
  for (const [text, error] of cases) {
    const f = join(tmp, "hostile.txt");
    writeFileSync(f, text);
    const r = await runPprof(["-top", f]);
    if (error) assert.match(r.stderr, error);
    else assert.equal(r.code, 0, r.stderr);
  }
});
