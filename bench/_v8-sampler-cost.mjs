// What V8's CPU sampler costs the thread it samples, apart from its own
// thread (see bench/http-profile-overhead.mjs and docs/http.md):
// - each call from JavaScript into a native function, while any V8 CPU
//   profile runs, at any sampling rate (V8 takes a slower call path so that
//   the profiler can see native callbacks);
// - each sample (a signal and a stack walk), made measurable at 10 kHz.
// Time is this thread's own CPU time (/proc/thread-self/schedstat), so other
// jobs on the machine disturb it less than wall time.
//
//   taskset -c 0 node bench/_v8-sampler-cost.mjs
import { Session } from "node:inspector";
import { readFileSync } from "node:fs";
import { types } from "node:util";

const session = new Session();
session.connect();
const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

const threadMicros = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1000;
/** ns of this thread's CPU per iteration. */
const nsPer = (fn, n) => {
  const t = threadMicros();
  fn(n);
  return ((threadMicros() - t) * 1000) / n;
};
const afn = async () => {};
let sink = 0;
const nativeCalls = (n) => {
  for (let i = 0; i < n; i++) if (types.isAsyncFunction(afn)) sink++;
};
const obj = { a: 1, b: [1, 2, 3], c: "x" };
const jsWork = (n) => {
  for (let i = 0; i < n; i++) sink += JSON.stringify(obj).length;
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

await post("Profiler.enable");
for (const interval of [1_000_000, 10_000, 100]) {
  await post("Profiler.setSamplingInterval", { interval });
  const r = { nativeOff: [], nativeOn: [], jsOff: [], jsOn: [] };
  for (let i = 0; i < 9; i++) {
    r.nativeOff.push(nsPer(nativeCalls, 3e6));
    r.jsOff.push(nsPer(jsWork, 5e5));
    await post("Profiler.start");
    r.nativeOn.push(nsPer(nativeCalls, 3e6));
    r.jsOn.push(nsPer(jsWork, 5e5));
    await post("Profiler.stop");
  }
  const [jOff, jOn] = [median(r.jsOff), median(r.jsOn)];
  // Extra ns per iteration × iterations per second of CPU / samples per second.
  const perSampleUs = ((jOn - jOff) * (1e9 / jOn)) / (1e6 / interval) / 1000;
  console.log(
    `interval ${interval} µs: native call ${median(r.nativeOff).toFixed(1)} → ${median(r.nativeOn).toFixed(1)} ns; ` +
      `JSON.stringify ${jOff.toFixed(0)} → ${jOn.toFixed(0)} ns` +
      (interval <= 1000 ? `; ≈ ${perSampleUs.toFixed(1)} µs of this thread per sample` : ""),
  );
}
await post("Profiler.disable");
session.disconnect();
if (sink === -1) console.log(sink);
