// A small program with a known profile: about two thirds of its CPU time in
// parseRecords and one third in hashRecords, for two seconds.
import { createHash } from "node:crypto";

function makeRecord(i) {
  return `${i},user${i % 97},${(i * 7919) % 10007},${"x".repeat(i % 13)}`;
}

function parseRecords(n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const fields = makeRecord(i).split(",");
    total += Number(fields[2]) + fields[1].length + fields[3].length;
  }
  return total;
}

function hashRecords(n) {
  const h = createHash("sha256");
  for (let i = 0; i < n; i++) h.update(makeRecord(i));
  return h.digest("hex");
}

function spend(ms, fn) {
  const end = performance.now() + ms;
  let result;
  while (performance.now() < end) result = fn(2000);
  return result;
}

const deadline = performance.now() + 2000;
while (performance.now() < deadline) {
  spend(20, parseRecords);
  spend(10, hashRecords);
}
console.log("done");
