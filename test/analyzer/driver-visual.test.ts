// The call graph as images (-png, -pdf, -gif, -ps through Graphviz's dot
// program, as go tool pprof makes them), -topproto, -weblist, and the viewer
// commands (-eog, -evince, -gv, -kcachegrind, -weblist) handing their file
// to the viewer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProfile } from "../../src/profile/decode.ts";
import { goPprof, hasGo, needDot, needGo } from "../helpers/tools.ts";
import { runPprof, runPprofBytes } from "./driver-helpers.ts";

const fixture = "test/fixtures/analyzer/report-profiles/cpu.pb.gz";
const heap = "test/fixtures/analyzer/report-profiles/heap.pb.gz";

const magic: Record<string, string> = { png: "\x89PNG", pdf: "%PDF", gif: "GIF8", ps: "%!PS" };

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tsprof-visual-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs with an environment variable replaced for the duration (the driver runs in this process). */
async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

/** A stand-in viewer program: records its arguments in NAME.args and copies the file it was given (its last argument) to NAME.got. */
function fakeViewer(dir: string, name: string): string {
  const script = join(dir, name);
  writeFileSync(script, `#!/bin/sh\nfor a; do last="$a"; done\necho "$@" > "${dir}/${name}.args"\ncp "$last" "${dir}/${name}.got.tmp" && mv "${dir}/${name}.got.tmp" "${dir}/${name}.got"\n`);
  chmodSync(script, 0o755);
  return script;
}

/** Viewers run detached: waits (up to 5 s) for the copy a fake viewer makes. */
async function viewerGot(dir: string, name: string): Promise<string> {
  const got = join(dir, `${name}.got`);
  for (let i = 0; i < 250 && !existsSync(got); i++) await new Promise((res) => setTimeout(res, 20));
  return readFileSync(got, "latin1");
}

for (const format of ["png", "pdf", "gif", "ps"]) {
  test(`-${format}: the call graph rendered by Graphviz's dot`, async (t) => {
    if (!needDot(t)) return;
    const r = await runPprofBytes([`-${format}`, "-nodecount=5", fixture]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.subarray(0, magic[format]!.length).toString("latin1"), magic[format]);
    assert.ok(r.stdout.length > 1000, `${r.stdout.length} bytes`);
  });
}

test("-png: the same image go tool pprof -png makes of the same file", async (t) => {
  if (!needDot(t) || !needGo(t)) return;
  await inTempDir(async (dir) => {
    for (const [file, flags] of [[fixture, []], [heap, ["-sample_index=alloc_space", "-nodecount=8"]]] as const) {
      const ours = join(dir, "ours.png");
      const r = await runPprof(["-png", ...flags, "-output", ours, file]);
      assert.equal(r.code, 0, r.stderr);
      const go = join(dir, "go.png");
      goPprof(["-png", ...flags, "-output", go, file]);
      assert.ok(readFileSync(ours).equals(readFileSync(go)), `${file} ${flags.join(" ")}: PNG differs from go tool pprof's`);
    }
  });
});

test("-pdf without Graphviz installed: a one-line error naming what to install, exit 1", async () => {
  await inTempDir(async (empty) => {
    const r = await withEnv("PATH", empty, () => runPprof(["-pdf", fixture]));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tsprof pprof: -pdf needs Graphviz's dot program, which is not on PATH: install Graphviz .*use -svg/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.equal(r.stdout, "");
  });
});

test("-topproto: the top table as a profile with cum and flat values, as go tool pprof writes it", async (t) => {
  await inTempDir(async (dir) => {
    const ours = join(dir, "ours.pb.gz");
    const r = await runPprof(["-topproto", "-output", ours, fixture]);
    assert.equal(r.code, 0, r.stderr);
    const p = decodeProfile(readFileSync(ours));
    assert.deepEqual(p.sampleType.map((s) => s.type), ["cum", "flat"]);
    // One sample per node of -top, with its values in the output unit (here ms).
    const top = await runPprof(["-top", "-unit=ms", fixture]);
    const rows = top.stdout.split("\n").filter((l) => /^\s+\d/.test(l)).map((l) => l.trim().split(/\s+/));
    assert.equal(p.sample.length, rows.length);
    for (const [i, s] of p.sample.entries()) {
      const row = rows[i]!;
      assert.equal(s.location[0]!.line[0]!.function.name, row.slice(5).join(" ").replace(/ \((partial-)?inline\)$/, ""));
      assert.deepEqual(s.value, [Number.parseFloat(row[3]!), Number.parseFloat(row[0]!)]);
    }
    if (!hasGo) return t.diagnostic("go not installed: not compared with go tool pprof -topproto");
    const go = join(dir, "go.pb.gz");
    goPprof(["-topproto", "-output", go, fixture]);
    assert.equal(goPprof(["-raw", ours]), goPprof(["-raw", go]));
  });
});

test("-eog, -evince, -gv, -kcachegrind: the viewer is started with the report's file", async (t) => {
  if (!needDot(t)) return; // evince and gv get PDF and PostScript from dot
  await inTempDir(async (dir) => {
    const expect: Record<string, RegExp> = { eog: /^<\?xml|^<svg/, evince: /^%PDF/, gv: /^%!PS/, kcachegrind: /^positions: /m };
    for (const [name, content] of Object.entries(expect)) {
      fakeViewer(dir, name);
      const r = await withEnv("PATH", `${dir}:${process.env.PATH}`, () => runPprof([`-${name}`, fixture]));
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match((await viewerGot(dir, name)).slice(0, 200), content, name);
    }
    assert.match(readFileSync(join(dir, "gv.args"), "utf8"), /^--noantialias /);
  });
});

test("-kcachegrind with no kcachegrind installed: says so, keeps the report, exits 1", async () => {
  await inTempDir(async (empty) => {
    const r = await withEnv("PATH", empty, () => runPprof(["-kcachegrind", fixture]));
    assert.equal(r.code, 1);
    const m = /^could not run kcachegrind \(is it installed\?\); the report is in (\S+)\n$/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.match(readFileSync(m[1]!, "utf8"), /^positions: /m);
    rmSync(m[1]!);
  });
});

test("-weblist: the annotated source of -list as an HTML page, hot lines shaded", async () => {
  await inTempDir(async (dir) => {
    const html = join(dir, "list.html");
    const r = await runPprof(["-weblist=main.hotLoop", "-output", html, fixture]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Generating report in /);
    const page = readFileSync(html, "utf8");
    const list = (await runPprof(["-list=main.hotLoop", fixture])).stdout;
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /<h2>main\.hotLoop<\/h2>/);
    assert.ok(page.includes("Total: 920ms"), "total as -list prints it");
    // Every line -list prints is a row of the page, with the same values.
    const rows = [...page.matchAll(/<tr(?: style="background: rgba\(255, 80, 0, ([\d.]+)\)")?><td class="num">([^<]*)<\/td><td class="num">([^<]*)<\/td><td class="line">(\d+)<\/td><td>([^<]*)<\/td><\/tr>/g)];
    const listRows = list.split("\n").filter((l) => /^\s+\S+\s+\S+\s+\d+:/.test(l));
    assert.equal(rows.length, listRows.length);
    for (const [i, m] of rows.entries()) {
      const [, heat, flat, cum, line] = m;
      const [lflat, lcum, lline] = listRows[i]!.trim().split(/\s+/);
      assert.deepEqual([flat, cum, line], [lflat, lcum, lline!.replace(/:.*/, "")]);
      assert.equal(heat !== undefined, cum !== ".", `line ${line} shaded only when it has samples`);
    }
    // The hottest line (400ms cum) is shaded darkest.
    const darkest = rows.reduce((a, b) => (Number(b[1] ?? 0) > Number(a[1] ?? 0) ? b : a));
    assert.equal(darkest[3], "400ms");
  });
});

test("-weblist without -output opens the page in the browser ($BROWSER)", async () => {
  await inTempDir(async (dir) => {
    const browser = fakeViewer(dir, "browser");
    const r = await withEnv("BROWSER", browser, () => runPprof(["-weblist=main\\.", fixture]));
    assert.equal(r.code, 0, r.stderr);
    assert.match(await viewerGot(dir, "browser"), /<h2>main\.hotLoop<\/h2>[\s\S]*<h2>main\.warmLoop<\/h2>/);
  });
});

test("-weblist with a regexp matching nothing: go tool pprof's error", async () => {
  const r = await runPprof(["-weblist=nosuchfunction", fixture]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "tsprof pprof: no matches found for regexp: nosuchfunction\n");
});

test("-web with no browser to start: says why, keeps the report, exits 0 as go tool pprof does", async () => {
  await inTempDir(async (dir) => {
    const browser = join(dir, "failing-browser");
    writeFileSync(browser, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const r = await withEnv("BROWSER", browser, () => withEnv("PATH", dir, () => runPprof(["-web", fixture])));
    assert.equal(r.code, 0);
    const m = /^Could not start a browser \((.*)\); set BROWSER to one\. The report is in (\S+)\n$/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.match(m[1]!, new RegExp(`^${browser} exited with status 3`));
    assert.match(readFileSync(m[2]!, "utf8"), /<svg/);
    rmSync(m[2]!);
  });
});
