// What a CPU profile taken through /debug/pprof/profile installs in the
// server: no async_hooks hook unless the program uses profiler labels (an
// async hook on every callback is what would cost a busy server most), and
// with labels one hook, for the profile's duration only. The sampling
// interval is Go's 100 Hz.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import asyncHooks from "node:async_hooks";
import { syncBuiltinESMExports } from "node:module";
import { Session } from "node:inspector";
import type { IncomingMessage, ServerResponse } from "node:http";
import { serve, get } from "./helpers.ts";

// Counts the hooks made through node:async_hooks' createHook that are enabled
// right now. Patched before tsprof's modules load, so their imports see it.
const enabledHooks = new Set<object>();
const realCreateHook = asyncHooks.createHook;
asyncHooks.createHook = (callbacks) => {
  const hook = realCreateHook(callbacks);
  const enable = hook.enable.bind(hook), disable = hook.disable.bind(hook);
  hook.enable = () => (enabledHooks.add(hook), enable());
  hook.disable = () => (enabledHooks.delete(hook), disable());
  return hook;
};
syncBuiltinESMExports();
after(() => {
  asyncHooks.createHook = realCreateHook;
  syncBuiltinESMExports();
});

// The sampling intervals asked of V8, whichever session asks.
const intervals: number[] = [];
const realPost = Session.prototype.post;
Session.prototype.post = function (this: Session, method: string, ...rest: unknown[]) {
  if (method === "Profiler.setSamplingInterval") intervals.push((rest[0] as { interval: number }).interval);
  return (realPost as (...args: unknown[]) => void).call(this, method, ...rest);
} as typeof Session.prototype.post;
after(() => {
  Session.prototype.post = realPost;
});

const { handler, withRequestLabels } = await import("../../src/http/index.ts");
const { decodeProfile } = await import("../../src/profile/decode.ts");

const pprof = handler();
let labelled = false;
const app = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url?.startsWith("/debug/pprof")) return void pprof(req, res);
  res.end("ok");
};
const withLabels = withRequestLabels(app);
const served = await serve((req, res) => (labelled ? withLabels(req, res) : app(req, res)));
after(() => served.close());

/** Hooks enabled before, during (300 ms in) and after a 1-second profile, and the profile. */
async function hooksAroundProfile() {
  const before = enabledHooks.size;
  const pending = get(served.port, "/debug/pprof/profile?seconds=1");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await get(served.port, "/work")).text, "ok");
  const during = enabledHooks.size;
  const reply = await pending;
  assert.equal(reply.status, 200);
  return { before, during, after: enabledHooks.size, profile: decodeProfile(reply.body) };
}

test("without labels a CPU profile installs no async hook, and samples at 100 Hz", async () => {
  const { before, during, after: afterwards, profile } = await hooksAroundProfile();
  assert.equal(during, before, "no hook enabled while profiling");
  assert.equal(afterwards, before);
  assert.equal(profile.period, 10_000_000, "a sample every 10 ms, as Go's default rate");
  assert.deepEqual(intervals, [10_000], "V8's sampler was asked for one sample every 10,000 µs");
});

test("with request labels in use, one hook runs for the profile's duration only", async () => {
  labelled = true;
  assert.equal((await get(served.port, "/work")).text, "ok"); // the first label: labels are in use
  const { before, during, after: afterwards } = await hooksAroundProfile();
  assert.equal(during, before + 1, "the labels timeline's hook, while profiling");
  assert.equal(afterwards, before, "removed when the profile stops");
});
