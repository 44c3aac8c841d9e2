// The final flush where nothing asynchronous can run anymore (a process
// 'exit' listener: process.exit(), an uncaught exception, a signal under
// tsprof run): the uploads are handed to a short-lived node child process,
// started with spawnSync and bounded in time, which posts them in order.
// The child gets no environment (so no NODE_OPTIONS preload, no tsprof of
// its own) and prints how many the server accepted.

import { spawnSync } from "node:child_process";
import type { IngestRequest } from "./ingest.js";

// Reads a JSON list of {url, headers, body (base64)} from stdin, posts each
// while time remains, prints the number accepted.
const CHILD = `
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", async () => {
  const { deadline, requests } = JSON.parse(Buffer.concat(chunks).toString());
  let ok = 0;
  for (const r of requests) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const body = Buffer.from(r.body, "base64");
    const url = new URL(r.url);
    const mod = require(url.protocol === "https:" ? "node:https" : "node:http");
    const status = await new Promise((resolve) => {
      const req = mod.request(url, { method: "POST", headers: { ...r.headers, "content-length": String(body.length) }, timeout: left }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
        res.on("error", () => resolve(0));
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(0));
      req.end(body);
    });
    if (status >= 200 && status < 300) ok++;
  }
  process.stdout.write(String(ok));
});
`;

/** Posts the requests within timeoutMs; returns how many the server accepted. Never throws. */
export function uploadSync(requests: IngestRequest[], timeoutMs: number): number {
  if (requests.length === 0) return 0;
  try {
    const input = JSON.stringify({
      deadline: Date.now() + timeoutMs,
      requests: requests.map((r) => ({ url: r.url, headers: r.headers, body: r.body.toString("base64") })),
    });
    // The child's own start-up counts against the bound too.
    const r = spawnSync(process.execPath, ["-e", CHILD], { input, env: {}, timeout: timeoutMs + 1000, encoding: "utf8", stdio: ["pipe", "pipe", "ignore"], windowsHide: true });
    const n = Number(r.stdout);
    return Number.isInteger(n) ? n : 0;
  } catch {
    return 0;
  }
}
