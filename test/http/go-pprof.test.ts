// `go tool pprof` reading profiles straight from a live server's
// /debug/pprof/ endpoints: the CPU profile names the work the server does,
// and the custom profile (and heap, once registered) load and show their stacks.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { needGo, hasGo, goPprof, parseTop } from "../helpers/tools.ts";
import { get } from "./helpers.ts";
import { NO_INLINING_FLAGS } from "../helpers/no-inlining.ts";

const fixture = fileURLToPath(new URL("./fixtures/pprof-server.ts", import.meta.url));
let child: ChildProcess | undefined;
let base = "";

before(async () => {
  if (!hasGo) return;
  // httpHotSpin stays a function of its own in the samples (Node 24 inlines it into spinSlice's loop).
  child = spawn(process.execPath, [...NO_INLINING_FLAGS, "--import", "tsx", fixture], { stdio: ["pipe", "pipe", "inherit"] });
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  base = `http://127.0.0.1:${Number(String(chunk).trim())}/debug/pprof`;
});

after(async () => {
  if (!child) return;
  child.stdin!.end();
  if (child.exitCode === null) await once(child, "exit");
});

test("go tool pprof -top on /profile?seconds=2 names the server's hot function", (t) => {
  if (!needGo(t)) return;
  const out = goPprof(["-top", `${base}/profile?seconds=2`], { timeoutMs: 60_000 });
  assert.match(out, /Type: cpu/);
  assert.match(out, /Duration: 2(\.\d+)?s/);
  const top = parseTop(out);
  assert.ok(top.length > 0, out);
  assert.equal(top[0]!.name, "httpHotSpin", out);
  assert.ok(top[0]!.flatPct > 40, `httpHotSpin has ${top[0]!.flatPct}% (the server spins ~80% of the time)`);
});

test("go tool pprof reads a custom profile by name: its entries under the function that added them", (t) => {
  if (!needGo(t)) return;
  const out = goPprof(["-top", "-cum", `${base}/tsprof.test/held`]);
  assert.match(out, /Type: tsprof\.test\/held/);
  const rows = parseTop(out);
  const opener = rows.find((r) => r.name === "openTestResource");
  assert.ok(opener, out);
  assert.equal(opener.flat, "3");
});

test("go tool pprof reads /heap", async (t) => {
  if (!needGo(t)) return;
  const probe = await get(Number(new URL(base).port), "/debug/pprof/heap");
  assert.equal(probe.status, 200, "the heap profile is served");
  const out = goPprof(["-top", "-sample_index=inuse_space", `${base}/heap`]);
  assert.match(out, /Type: inuse_space/);
  assert.ok(parseTop(out).some((r) => r.name === "retainForHeapTest"), out);
});

test("go tool pprof reads a delta profile (/heap?seconds=1)", async (t) => {
  if (!needGo(t)) return;
  const probe = await get(Number(new URL(base).port), "/debug/pprof/heap?debug=1");
  assert.equal(probe.status, 200, "the heap profile is served");
  const out = goPprof(["-raw", `${base}/heap?seconds=1`]);
  assert.match(out, /PeriodType: space bytes/);
  // -raw prints the duration as Go's %.4v: "1.07".
  assert.match(out, /Duration: 1(\.\d+)?\n/);
});
