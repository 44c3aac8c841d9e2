// The web UI's first view of a large profile (issue 6, "Speed"): from starting
// the server process to the flame graph (the default view) drawn in Chromium,
// for a 300,000-sample profile of ~20 MB uncompressed, against
// `go tool pprof -http` on the same file in the same run (its flame graph page,
// Go 1.19's pprof). Also the server-side time of each view once loaded.
//
//   node scripts/build.mjs && node bench/analyzer-web.mjs [samples] [repeats] [--no-go]
//
// Needs Chromium (/usr/bin/chromium) for the browser figures and `go` for the
// peer; either missing is reported and skipped. Medians (and the best) of
// `repeats` runs, and the CPU time each server process (with its children)
// used for the first view. A browser tab is opened once the server is up (a
// browser already running); the time counts until the page is drawn and a
// frame painted. On a loaded machine, compare the ratio and the CPU times
// rather than the absolute times.
//
// Target (issue 6): tsprof's first view under 2 seconds.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, writeFileSync, statSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = (p) => pathToFileURL(join(here, "../dist/esm", p)).href;
const args = process.argv.slice(2).filter((a) => a !== "--no-go");
const nSamples = Number(args[0] ?? 300_000);
const repeats = Number(args[1] ?? 3);
// --no-go: tsprof alone (go tool pprof takes 15-45 s a run), for quick measurements; no ratio then.
const skipGo = process.argv.includes("--no-go");

const { bigProfile } = await import("./_big-profile.mjs");
const synthetic = () => bigProfile(nSamples, { seed: 12345, shrink: 0.68 });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Starts a server command; resolves with its URL once it prints "Serving web UI on URL". */
function startServer(cmd, args, env) {
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      const m = /Serving web UI on (\S+)/.exec(err);
      if (m) resolve({ child, url: m[1].replace(/\/$/, ""), stderr: () => err });
    });
    child.on("exit", (code) => reject(new Error(`${cmd} exited (${code}) before serving: ${err.trim()}`)));
  });
}

/**
 * CPU time (user + system) used so far by a process and its descendants (`go tool pprof` runs the
 * pprof tool as a child), from /proc: less sensitive than wall time to other work on a shared
 * machine. NaN where /proc is missing.
 */
function treeCpuMs(pid) {
  if (!existsSync("/proc/self/stat")) return NaN;
  const stats = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const f = readFileSync(`/proc/${d}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // (gone meanwhile)
    }
  }
  const inTree = (p) => {
    for (let q = p, hops = 0; q > 1 && hops < 64; q = stats.get(q)?.ppid ?? 0, hops++) if (q === pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [p, st] of stats) if (inTree(p)) ticks += st.ticks;
  return (ticks * 1000) / clockTicks;
}
const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function stop(child) {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (!exited()) child.kill("SIGTERM");
  return new Promise((r) => (exited() ? r() : child.once("exit", r)));
}

const file = join(tmpdir(), `tsprof-bench-web-${nSamples}.pb`);
writeFileSync(file, synthetic());
console.log(`profile: ${file}, ${(statSync(file).size / 1e6).toFixed(1)} MB uncompressed, ${nSamples} samples`);

// Ours: the profile read, decoded and served by the web UI in a fresh process (as `tsprof pprof -http` does).
const oursScript = `
const t0 = performance.now();
const { readFileSync } = await import("node:fs");
const { decodeProfile } = await import(${JSON.stringify(dist("profile/decode.js"))});
const { defaultConfig } = await import(${JSON.stringify(dist("analyzer/config.js"))});
const { serveWebUI } = await import(${JSON.stringify(dist("analyzer/web/index.js"))});
const p = decodeProfile(readFileSync(${JSON.stringify(file)}));
const t1 = performance.now();
const ui = await serveWebUI({ profile: p, config: defaultConfig() });
process.stderr.write("decode " + (t1 - t0).toFixed(0) + " ms\\nServing web UI on " + ui.url + "\\n");
process.on("SIGTERM", () => ui.close().then(() => process.exit(0)));
`;
const ours = () => startServer(process.execPath, ["--input-type=module", "-e", oursScript], {});
// The same through the command line, as a user runs it (the driver also merges the source, as go tool pprof does).
const cli = () => startServer(process.execPath, [join(here, "../dist/esm/cli/main.js"), "pprof", "-http=127.0.0.1:0", "-no_browser", file], {});
const hasGo = !skipGo && await new Promise((r) => spawn("go", ["version"], { stdio: "ignore" }).on("exit", (c) => r(c === 0)).on("error", () => r(false)));
const go = async () => {
  const port = await freePort();
  const s = await startServer("go", ["tool", "pprof", `-http=127.0.0.1:${port}`, "-no_browser", file], {
    PPROF_TMPDIR: join(tmpdir(), "tsprof-pprof-tmp"), PPROF_BINARY_PATH: "/nonexistent",
  });
  return { ...s, url: `http://127.0.0.1:${port}` };
};

const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
let browser;
if (chromiumPath) {
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
} else {
  console.log("chromium not found: first view timed to the complete HTML response instead of the drawn page");
}

/**
 * Spawn → server up → a browser tab opened on the page → flame graph page loaded (and, for
 * ours, drawn and painted), as `-http` opens the browser once the server is up.
 */
async function firstView(start, path, drawnSelector) {
  const t0 = performance.now();
  const s = await start();
  const up = performance.now() - t0;
  try {
    if (browser) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(s.url + path, { waitUntil: "load", timeout: 120_000 });
      if (drawnSelector) {
        await page.waitForSelector(drawnSelector, { timeout: 120_000 });
        // Until the drawing is on screen: the frame after the next has been painted.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      }
      await page.close();
    } else {
      const r = await fetch(s.url + path);
      await r.arrayBuffer();
    }
    const total = performance.now() - t0;
    const cpu = treeCpuMs(s.child.pid);
    await stop(s.child);
    return { total, up, cpu, stderr: s.stderr() };
  } finally {
    await stop(s.child);
  }
}

const oursRuns = [];
const cliRuns = [];
const goRuns = [];
for (let i = 0; i < repeats; i++) {
  oursRuns.push(await firstView(ours, "/ui/", "#flame[data-drawn]"));
  cliRuns.push(await firstView(cli, "/ui/", "#flame[data-drawn]"));
  // (go tool pprof has been seen to refuse the connection once, right after printing its URL: one retry.)
  if (hasGo) goRuns.push(await firstView(go, "/ui/flamegraph").catch(() => firstView(go, "/ui/flamegraph")));
}
const decodeMs = oursRuns.map((r) => Number(/decode (\d+) ms/.exec(r.stderr)?.[1] ?? NaN));
const best = (runs) => Math.min(...runs.map((r) => r.total));
const cpuOf = (runs) => median(runs.map((r) => r.cpu)).toFixed(0);
const om = median(oursRuns.map((r) => r.total));
console.log(`tsprof web UI first view (flame graph${browser ? " drawn in Chromium" : ", HTML received"}): median ${om.toFixed(0)} ms, best ${best(oursRuns).toFixed(0)} ms ` +
  `(process start + decode until serving: ${median(oursRuns.map((r) => r.up)).toFixed(0)} ms, of which decode ${median(decodeMs).toFixed(0)} ms); ` +
  `server process CPU time for it: ${cpuOf(oursRuns)} ms`);
const cm = median(cliRuns.map((r) => r.total));
console.log(`tsprof pprof -http (the command line, same measure): median ${cm.toFixed(0)} ms, best ${best(cliRuns).toFixed(0)} ms ` +
  `(until serving: ${median(cliRuns.map((r) => r.up)).toFixed(0)} ms); process CPU time: ${cpuOf(cliRuns)} ms`);
if (hasGo) {
  const gm = median(goRuns.map((r) => r.total));
  console.log(`go tool pprof -http first view (flame graph page loaded): median ${gm.toFixed(0)} ms, best ${best(goRuns).toFixed(0)} ms ` +
    `(until serving: ${median(goRuns.map((r) => r.up)).toFixed(0)} ms); process CPU time: ${cpuOf(goRuns)} ms; ` +
    `ratio go/tsprof ${(gm / om).toFixed(2)}x (command line: ${(gm / cm).toFixed(2)}x)`);
} else {
  console.log(skipGo ? "--no-go: no go tool pprof comparison" : "go not found: no go tool pprof comparison");
}

// Decoding alone, in this process (the fastest of `repeats`): the raw file, and the same gzipped as
// profiles usually are, whose inflate (native zlib) is a fixed cost on top.
{
  const { decodeProfile } = await import(dist("profile/decode.js"));
  const { gzipSync, gunzipSync } = await import("node:zlib");
  const raw = readFileSync(file);
  const gz = gzipSync(raw);
  const best = (f) => {
    let min = Infinity;
    for (let i = 0; i < Math.max(repeats, 1); i++) {
      const t = performance.now();
      f();
      min = Math.min(min, performance.now() - t);
    }
    return min;
  };
  const dec = best(() => decodeProfile(raw));
  const inflate = best(() => gunzipSync(gz));
  const decGz = best(() => decodeProfile(gz));
  console.log(`decode in-process (best of ${Math.max(repeats, 1)}): ${dec.toFixed(0)} ms raw; gzipped (${(gz.length / 1e6).toFixed(1)} MB) ${decGz.toFixed(0)} ms, of which inflate ${inflate.toFixed(0)} ms`);
}

// Server-side time of each view on the loaded profile (first request of each computes it; the second hits the cache).
{
  const { decodeProfile } = await import(dist("profile/decode.js"));
  const { defaultConfig } = await import(dist("analyzer/config.js"));
  const { serveWebUI } = await import(dist("analyzer/web/index.js"));
  const ui = await serveWebUI({ profile: decodeProfile(readFileSync(file)), config: defaultConfig() });
  const rows = [];
  for (const v of ["flamegraph", "top", "graph", "flamegraph?f=module7%5C.", "top?si=samples"]) {
    const t = performance.now();
    const r = await fetch(`${ui.url}/ui/${v}`);
    const bytes = (await r.arrayBuffer()).byteLength;
    rows.push(`/ui/${decodeURIComponent(v)} ${r.status} ${(performance.now() - t).toFixed(0)} ms ${(bytes / 1e3).toFixed(0)} kB`);
  }
  await ui.close();
  console.log("server-side view times (in-process, profile already decoded):\n  " + rows.join("\n  "));
}
await browser?.close();
