// `tsprof pprof` as users run it: the built bin (dist/esm/cli/main.js) in a
// child process. The README's quick start, binary and graphical outputs,
// V8 JSON sources, URL sources, and errors without stack traces.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goPprof, hasGo, needGo } from "../helpers/tools.ts";
import { runPprof, runPprofBytes } from "./driver-helpers.ts";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "dist/esm/cli/main.js");
const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");
const cpu = join(dir, "cpu.pb.gz");

function tsprof(args: string[]) {
  return spawnSync(process.execPath, [bin, "pprof", ...args], { encoding: "utf8", timeout: 30_000 });
}

test("the README quick start: tsprof pprof -top cpu.pb.gz prints go tool pprof's report", (t) => {
  assert.ok(existsSync(bin), "tsprof is built (node scripts/build.mjs)");
  if (!needGo(t)) return;
  const r = tsprof(["-top", cpu]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, goPprof(["-top", cpu]));
});

test("errors: one line on stderr, non-zero exit, no stack trace", (t) => {
  assert.ok(existsSync(bin), "tsprof is built (node scripts/build.mjs)");
  for (const args of [["-top", "/nonexistent.pb.gz"], ["-top", "-focus=(", cpu], ["-top", "-sample_index=nope", cpu], ["-nosuchflag", cpu], ["-top"]]) {
    const r = tsprof(args);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^tsprof pprof: /);
  }
});

test("-proto writes a profile go tool pprof reads as it reads its own -proto output", async (t) => {
  if (!needGo(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), "tsprof-proto-"));
  try {
    for (const flags of [[], ["-lines"], ["-focus=hotLoop"], ["-files"]]) {
      const ours = join(tmp, "ours.pb.gz");
      const theirs = join(tmp, "theirs.pb.gz");
      const r = await runPprof(["-proto", `-output=${ours}`, ...flags, cpu]);
      assert.equal(r.code, 0, r.stderr);
      goPprof(["-proto", `-output=${theirs}`, ...flags, cpu]);
      // Sample and location order may differ; every report of the two agrees.
      for (const report of [["-top"], ["-traces"], ["-tags"], ["-top", "-lines"]]) {
        assert.equal(goPprof([...report, ours]), goPprof([...report, theirs]), `${flags.join(" ")} then ${report.join(" ")}`);
      }
    }
    // To a pipe, -proto writes the gzipped bytes themselves.
    const piped = await runPprofBytes(["-proto", cpu]);
    assert.equal(piped.code, 0);
    assert.deepEqual([...piped.stdout.subarray(0, 2)], [0x1f, 0x8b]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("-svg draws the call graph without Graphviz; -flamegraph writes HTML or SVG", async () => {
  const svg = await runPprof(["-svg", cpu]);
  assert.equal(svg.code, 0, svg.stderr);
  assert.match(svg.stdout, /<svg[\s\S]*main\.hotLoop[\s\S]*<\/svg>/);
  const html = await runPprof(["-flamegraph", cpu]);
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stdout, /^<!DOCTYPE html>/);
  assert.match(html.stdout, /main\.hotLoop/);
  const tmp = mkdtempSync(join(tmpdir(), "tsprof-flame-"));
  try {
    const out = join(tmp, "flame.svg");
    const r = await runPprof(["-flamegraph", `-output=${out}`, cpu]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(out, "utf8"), /<svg[\s\S]*main\.hotLoop/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a V8 .cpuprofile (node --cpu-prof) is converted: its hot function leads -top", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "tsprof-v8-"));
  try {
    const script = "function spinHot(){let x=0;const end=Date.now()+300;while(Date.now()<end)x+=Math.sqrt(x+1);return x}spinHot();";
    // A file, not -e: go tool pprof's demangler blanks names such as "(top level [eval])".
    writeFileSync(join(tmp, "app.js"), script);
    execFileSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${tmp}`, "--cpu-prof-name=app.cpuprofile", join(tmp, "app.js")]);
    const r = await runPprof(["-top", "-nodecount=1", join(tmp, "app.cpuprofile")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Type: cpu/);
    const rows = r.stdout.split("\n").filter((l) => /%\s+\S+$/.test(l) && !/flat%/.test(l));
    assert.match(rows[0] ?? "", /spinHot$/, r.stdout);
    if (hasGo) {
      // Written out with -proto, go tool pprof reads the converted profile as tsprof does.
      const pb = join(tmp, "app.pb.gz");
      assert.equal((await runPprof(["-proto", `-output=${pb}`, join(tmp, "app.cpuprofile")])).code, 0);
      for (const flags of [["-top"], ["-traces"], ["-top", "-lines"]]) {
        assert.equal((await runPprof([...flags, join(tmp, "app.cpuprofile")])).stdout, goPprof([...flags, pb]), flags.join(" "));
      }
    }
    execFileSync(process.execPath, ["--heap-prof", `--heap-prof-dir=${tmp}`, "--heap-prof-name=app.heapprofile", "-e",
      "globalThis.keep=[];function hoard(){for(let i=0;i<2e5;i++)keep.push({i,s:'x'+i})}hoard();"]);
    const h = await runPprof(["-top", join(tmp, "app.heapprofile")]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /Type: inuse_space/);
    assert.match(h.stdout, /hoard/);
    assert.ok(readdirSync(tmp).length >= 2);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("an http URL source: fetched with -seconds, errors and unreachable servers are one line", async (t) => {
  const body = readFileSync(cpu);
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? "");
    if (req.url?.startsWith("/debug/pprof/missing")) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "X-Go-Pprof": "1" });
      res.end("Unknown profile\n");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const saved = mkdtempSync(join(tmpdir(), "tsprof-saved-"));
  const oldTmp = process.env.PPROF_TMPDIR;
  process.env.PPROF_TMPDIR = saved;
  try {
    const r = await runPprof(["-top", "-seconds=1", `http://127.0.0.1:${port}/debug/pprof/profile`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen, ["/debug/pprof/profile?seconds=1"]);
    // Saved as go tool pprof saves fetched profiles, and readable again.
    const file = join(saved, "pprof.reportgen.samples.cpu.001.pb.gz");
    assert.match(r.stderr, new RegExp(`Saved profile in ${file.replaceAll(".", "\\.")}`));
    assert.equal((await runPprof(["-top", file])).stdout, r.stdout);
    if (needGo(t)) assert.equal(r.stdout, goPprof(["-top", cpu]));
    // host:port alone means /debug/pprof/profile, as go tool pprof reads it.
    const bare = await runPprof(["-top", `127.0.0.1:${port}`]);
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(seen.at(-1), "/debug/pprof/profile");
    const missing = await runPprof(["-top", `http://127.0.0.1:${port}/debug/pprof/missing`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /server response: 404 Not Found - Unknown profile\n$/);
  } finally {
    await new Promise((r) => server.close(r));
    if (oldTmp === undefined) delete process.env.PPROF_TMPDIR;
    else process.env.PPROF_TMPDIR = oldTmp;
    rmSync(saved, { recursive: true, force: true });
  }
  const down = await runPprof(["-top", `http://127.0.0.1:${port}/debug/pprof/heap`]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /tsprof pprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap: http fetch: .*ECONNREFUSED/);
});

test("-http serves the web UI with the driver's filters until SIGTERM", async (t) => {
  assert.ok(existsSync(bin), "tsprof is built (node scripts/build.mjs)");
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [bin, "pprof", "-http=127.0.0.1:0", "-no_browser", cpu], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = "";
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
        const m = /Serving web UI on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      setTimeout(() => reject(new Error(`no URL after 15 s: ${err}`)), 15_000).unref();
    });
    const page = await (await fetch(`${url}/ui/top?f=hotLoop`)).text();
    assert.match(page, /main\.hotLoop/);
    assert.doesNotMatch(page, /main\.warmLoop/);
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  }
});

test("tsprof --version: the package's version and the Node.js it runs on", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  for (const arg of ["--version", "version"]) {
    const r = spawnSync(process.execPath, [bin, arg], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `tsprof ${pkg.version} (Node.js ${process.version})\n`);
  }
});

test("-http: prints the URL it serves, and says so when no browser can be started", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "tsprof-http-browser-"));
  try {
    // A "browser" that fails as xdg-open does without a display; the platform's opener is kept off PATH.
    const browser = join(tmp, "no-display-browser");
    writeFileSync(browser, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const child = spawn(process.execPath, [bin, "pprof", "-http=127.0.0.1:0", cpu], {
      env: { ...process.env, BROWSER: browser, PATH: tmp },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (chunk: string) => {
        stderr += chunk;
        if (/Could not start a browser/.test(stderr)) resolve();
      });
      child.once("exit", () => reject(new Error(`exited before saying so: ${stderr}`)));
    });
    child.kill("SIGINT");
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
    const url = /^Serving web UI on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr)?.[1];
    assert.ok(url, stderr);
    const reason = process.platform === "linux" ? `${browser} exited with status 3; xdg-open not found` : `${browser} exited with status 3`;
    assert.ok(stderr.includes(`Could not start a browser (${reason}); set BROWSER to one, or open ${url}/ui/\n`), stderr);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
