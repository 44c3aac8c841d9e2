// tsprof's own share of a small Express server's heap profile: the server
// mounts tsprof/http, serves 3,000 requests (it keeps the last 2,000 users),
// and is scraped once at each of /profile?seconds=1, /heap, /goroutine and
// /allocs; then its /heap is read and the in-use and allocated bytes whose
// stacks pass through tsprof's files (or its source-map library) are summed,
// with the leaves that hold most of them.
//
//   node scripts/build.mjs && node bench/own-footprint.mjs [memProfileRate=4096]
import * as pprof from "tsprof";
import { fileURLToPath } from "node:url";
const ownDist = fileURLToPath(new URL("../dist/", import.meta.url));
pprof.setMemProfileRate(Number(process.argv[2] ?? 4096));
const { default: express } = await import("express");
const { handler } = await import("tsprof/http");
import { gunzipSync } from "node:zlib";
const { decodeProfile } = await import("../dist/esm/profile/decode.js");
const app = express();
app.use("/debug/pprof", handler());
const users = [];
app.get("/user/:id", (req, res) => { users.push({ id: req.params.id, at: Date.now(), tags: ["a", "b"] }); if (users.length > 2000) users.shift(); res.json(users.at(-1)); });
const server = app.listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const port = server.address().port;
for (let i = 0; i < 3000; i++) await fetch(`http://127.0.0.1:${port}/user/${i}`).then((r) => r.text());
for (const path of ["profile?seconds=1", "heap", "goroutine", "allocs"]) await fetch(`http://127.0.0.1:${port}/debug/pprof/${path}`).then((r) => r.arrayBuffer());
const body = Buffer.from(await fetch(`http://127.0.0.1:${port}/debug/pprof/heap`).then((r) => r.arrayBuffer()));
const p = decodeProfile(gunzipSync(body));
const inuse = p.sampleType.findIndex((s) => s.type === "inuse_space");
const alloc = p.sampleType.findIndex((s) => s.type === "alloc_space");
const leafOwner = new Map(); let total = 0, totalA = 0, ours = 0, oursA = 0;
for (const s of p.sample) {
  const files = s.location.flatMap((l) => l.line.map((ln) => ln.function.filename));
  const tsprof = files.some((f) => f.includes(ownDist) || f.includes("/@jridgewell/"));
  total += s.value[inuse]; totalA += s.value[alloc];
  if (tsprof) { ours += s.value[inuse]; oursA += s.value[alloc]; const leaf = s.location[0].line[0].function; const k = `${leaf.name} ${leaf.filename.split("/").slice(-2).join("/")}`; leafOwner.set(k, (leafOwner.get(k) ?? 0) + s.value[inuse]); }
}
console.log({ inuseKB: total >> 10, tsprofInuseKB: ours >> 10, share: (100 * ours / total).toFixed(1) + "%", allocKB: totalA >> 10, tsprofAllocKB: oursA >> 10 });
console.log([...leafOwner].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(v / 1024).toFixed(0)} KB ${k}`).join("\n"));
server.close();
