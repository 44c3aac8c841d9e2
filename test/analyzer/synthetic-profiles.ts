// Hand-built profiles for report tests: shapes Go's runtime rarely writes
// (inline frames, address-only locations, labels with units, negative
// values, deep recursion, odd names) that go tool pprof must agree on.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { encodeProfileGzipSync } from "../../src/profile/encode.ts";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import type { Location, Mapping, ProfileData, ProfileFunction } from "../../src/profile/model.ts";
import { emptyProfile, newSample } from "../../src/profile/model.ts";

export const workDir = join(tmpdir(), `tsprof-report-${process.pid}`);
mkdirSync(workDir, { recursive: true });

export function save(name: string, p: ProfileData): string {
  const file = join(workDir, name + ".pb.gz");
  writeFileSync(file, encodeProfileGzipSync(p));
  return file;
}

/** A source file on disk for `list`, 40 lines long. */
export const sourceFile = join(workDir, "src", "app.ts");
mkdirSync(join(workDir, "src"), { recursive: true });
writeFileSync(sourceFile, Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? `function f${i}() {` : `\tconst x${i} = ${i}; // line ${i + 1}`)).join("\n") + "\n");

const f = (name: string, file: string, line: number, startLine = 0): Frame => ({ name, file, line, column: 0, startLine });

/** A tsprof-style CPU profile: .ts files, node: built-ins, labels, recursion, comments. */
export function cpuProfile(): ProfileData {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: 10_000_000,
    timeNanos: 1_700_000_000_123_456_789n,
    durationNanos: 2_500_000_000,
    mappingFile: "/srv/app/dist/server.js",
    comments: ["tsprof cpu profile", "#hidden comment"],
  });
  const main = f("main", sourceFile, 3, 1);
  const handle = f("handleRequest", sourceFile, 8, 6);
  const parse = f("JSON.parse", "", 0);
  const fib = (d: number) => f("fib", sourceFile, 12 + (d % 2), 11);
  const read = f("readFileSync", "node:fs", 441, 430);
  for (let i = 0; i < 40; i++) {
    const job = i % 4 === 0 ? "b" : "a";
    b.addSample([fib(3), fib(2), fib(1), handle, main], [3, 30_000_000], { job, route: "/fib" }, { bytes: { value: 1024 * (i % 3 + 1), unit: "bytes" } });
    b.addSample([parse, handle, main], [2, 20_000_000], { job });
    if (i % 10 === 0) b.addSample([read, f("loadConfig", sourceFile, 22, 21), main], [1, 10_000_000], { job: "init" }, { request: { value: 7 } });
  }
  b.addSample([f("(garbage collector)", "", 0)], [5, 50_000_000]);
  b.addSample([f("(program)", "", 0)], [1, 10_000_000]);
  b.addSample([f("tiny", sourceFile, 33, 31), main], [1, 1_000]);
  return b.build();
}

/** A heap-like profile with four sample types and sizes from bytes to terabytes. */
export function heapProfile(): ProfileData {
  const b = new ProfileBuilder({
    sampleType: [
      { type: "alloc_objects", unit: "count" }, { type: "alloc_space", unit: "bytes" },
      { type: "inuse_objects", unit: "count" }, { type: "inuse_space", unit: "bytes" },
    ],
    periodType: { type: "space", unit: "bytes" },
    period: 524288,
    defaultSampleType: "inuse_space",
    mappingFile: "/usr/bin/node",
  });
  const main = f("main", "/srv/app/main.ts", 2, 1);
  const sizes = [17, 4096, 3 * 1024 ** 2, 5 * 1024 ** 3, 2 * 1024 ** 4];
  sizes.forEach((sz, i) => {
    b.addSample([f(`alloc${i}`, "/srv/app/alloc.ts", 10 + i, 9 + i), main], [i + 1, sz * (i + 1), i, sz * i], undefined, { bytes: { value: sz, unit: "bytes" } });
  });
  return b.build();
}

interface ManualOptions { inline?: boolean }

/** Locations with inline frames, address-only locations and odd names, built by hand. */
export function inlineProfile(o: ManualOptions = {}): ProfileData {
  const p = emptyProfile();
  p.sampleType = [{ type: "contentions", unit: "count" }, { type: "delay", unit: "nanoseconds" }];
  p.periodType = { type: "contentions", unit: "count" };
  p.period = 1;
  const m: Mapping = { id: 1, start: 0x400000n, limit: 0x800000n, offset: 0n, file: "/opt/bin/server", buildId: "abc123", hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: o.inline ?? true };
  const lib: Mapping = { id: 2, start: 0x7f0000000000n, limit: 0x7f0000100000n, offset: 0n, file: "/lib/x86_64-linux-gnu/libc.so.6", buildId: "", hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false };
  p.mapping.push(m, lib);
  const fns: ProfileFunction[] = [];
  const fn = (name: string, file: string, startLine: number) => {
    const r = { id: fns.length + 1, name, systemName: name, filename: file, startLine };
    fns.push(r);
    return r;
  };
  const a = fn("github.com/acme/server/v2/handlers.(*Router).ServeHTTP", "/go/src/github.com/acme/server/handlers/router.go", 40);
  const b = fn("github.com/acme/server/v2/handlers.match", "/go/src/github.com/acme/server/handlers/router.go", 90);
  const c = fn("sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go", 80);
  const d = fn("std::vector::push_back", "/usr/include/c++/vector", 1000);
  const e = fn("com.example.Foo.bar$1", "Foo.java", 10);
  const q = fn(`quote"and\\back`, "weird dir/x.go", 1);
  p.function.push(...fns);
  const locs: Location[] = [];
  const loc = (mapping: Mapping, address: bigint, lines: [ProfileFunction, number][]) => {
    const l: Location = { id: locs.length + 1, mapping, address, line: lines.map(([fn, line]) => ({ function: fn, line, column: 0 })), isFolded: false };
    locs.push(l);
    return l;
  };
  const lLock = loc(m, 0x401000n, [[c, 81]]);
  const lInl = loc(m, 0x402000n, [[b, 95], [a, 52]]); // match inlined into ServeHTTP
  const lServe = loc(m, 0x403000n, [[a, 60]]);
  const lLibc = loc(lib, 0x7f0000001234n, []);
  const lLibc2 = loc(lib, 0x7f0000005678n, []);
  const lCpp = loc(m, 0x404000n, [[d, 1010]]);
  const lJava = loc(m, 0x405000n, [[e, 12]]);
  const lQuote = loc(m, 0x406000n, [[q, 3]]);
  p.location.push(...locs);
  p.sample.push(
    newSample([lLock, lInl], [10, 5_000_000]),
    newSample([lLock, lServe], [4, 3_000_000_000]),
    newSample([lLibc, lLibc2, lCpp, lServe], [2, 700]),
    newSample([lLibc], [1, 90_000]),
    newSample([lJava, lQuote, lServe], [3, 3_600_000_000_000 * 2]),
  );
  return p;
}

/** A -diff_base-like profile: negative values and base-labelled samples. */
export function diffProfile(): ProfileData {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: 10_000_000,
    mappingFile: "/srv/app/server.js",
  });
  const main = f("main", "/srv/app/main.ts", 2, 1);
  b.addSample([f("grew", "/srv/app/a.ts", 5, 4), main], [30, 300_000_000]);
  b.addSample([f("shrank", "/srv/app/a.ts", 9, 8), main], [-20, -200_000_000], { "pprof::base": "true" });
  b.addSample([f("same", "/srv/app/a.ts", 14, 13), main], [10, 100_000_000]);
  b.addSample([f("same", "/srv/app/a.ts", 14, 13), main], [-10, -100_000_000], { "pprof::base": "true" });
  b.addSample([f("gone", "/srv/app/a.ts", 20, 19), main], [-5, -50_000_000], { "pprof::base": "true" });
  return b.build();
}
