// The allocation-heavy workload of the heap benchmarks: records built,
// serialized and parsed back (mostly short-lived garbage), one in 64 kept a
// while in a ring, and keys grouped in maps now and then, as a server's
// request handling does.

import { setImmediate as turn } from "node:timers/promises";

/** Where one record in 64 stays until 4,096 later ones have passed. */
export const ring = new Array(4096);

export function makeRecord(i) {
  return { id: i, name: `user-${i % 1000}`, tags: [i & 7, i & 15, i & 31], score: i * 0.5 };
}

function serialize(r) {
  return JSON.stringify(r);
}

function parseBack(s) {
  return JSON.parse(s);
}

function bucketize(n) {
  const m = new Map();
  for (let i = 0; i < n; i++) {
    const k = `k${i % 64}`;
    let a = m.get(k);
    if (!a) m.set(k, (a = []));
    a.push(i);
  }
  return m.size;
}

/** Record i's work; returns a number to keep the optimizer from dropping it. */
function recordStep(i) {
  const back = parseBack(serialize(makeRecord(i)));
  let sink = back.tags.length;
  if ((i & 63) === 0) ring[(i >> 6) & 4095] = back;
  if ((i & 1023) === 0) sink += bucketize(2000);
  return sink;
}

/** n records without yielding. */
export function work(n = 400_000) {
  let sink = 0;
  for (let i = 0; i < n; i++) sink += recordStep(i);
  return sink;
}

/** n records, turning the event loop every 8,192 (a request boundary), so that what runs there (drains after collections) runs. */
export async function workTurning(n = 400_000) {
  let sink = 0;
  for (let i = 0; i < n; i++) {
    sink += recordStep(i);
    if ((i & 8191) === 0) await turn();
  }
  return sink;
}
