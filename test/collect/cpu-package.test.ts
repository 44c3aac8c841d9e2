// The package as users load it: require("tsprof") from CommonJS (the built
// dist/cjs/index.cjs) and import from ESM (dist/esm/index.js) both give the
// whole API, and a profile taken through either loads in go tool pprof.
// Runs against the build: `node scripts/build.mjs` (npm test builds first).

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const fixtures = join(root, "test/fixtures/cpu");
const dir = mkdtempSync(join(tmpdir(), "tsprof-cpu-package-"));

/** Go's runtime/pprof names, in this package's spelling, that the root entry must export. */
const API = [
  "startCPUProfile",
  "stopCPUProfile",
  "setCPUProfileRate",
  "setCPUProfileKeepAlive",
  "writeHeapProfile",
  "setMemProfileRate",
  "Profile",
  "newProfile",
  "lookup",
  "profiles",
  "labels",
  "runWithLabels",
  "label",
  "forLabels",
  "setGoroutineLabels",
];

function runFixture(script: string, out: string): { exports: string[]; resolved: string } {
  const built = join(root, script.endsWith(".cjs") ? "dist/cjs/index.cjs" : "dist/esm/index.js");
  assert.ok(existsSync(built), `${built} is missing: run \`node scripts/build.mjs\` first`);
  const stdout = execFileSync(process.execPath, [join(fixtures, script), out], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(stdout) as { exports: string[]; resolved: string };
}

test('require("tsprof") works from CommonJS and profiles', (t) => {
  const out = join(dir, "cjs.pb.gz");
  const r = runFixture("require-tsprof.cjs", out);
  assert.equal(r.resolved, join(root, "dist/cjs/index.cjs"));
  for (const name of API) assert.ok(r.exports.includes(name), `CommonJS export ${name} (has ${r.exports})`);
  if (!needGo(t)) return;
  const top = parseTop(goPprof(["-top", out]));
  assert.equal(top[0]!.name, "cjsHotFunction");
  // A CommonJS module's top-level code is named as an ES module's is.
  assert.ok(top.some((r) => r.name === "(top level require-tsprof.cjs)"), top.map((r) => r.name).join(", "));
});

test("the ESM entry exports the same API and profiles", (t) => {
  const out = join(dir, "esm.pb.gz");
  const r = runFixture("import-tsprof.mjs", out);
  assert.equal(r.resolved, `file://${join(root, "dist/esm/index.js")}`);
  for (const name of API) assert.ok(r.exports.includes(name), `ESM export ${name} (has ${r.exports})`);
  const cjs = runFixture("require-tsprof.cjs", join(dir, "cjs2.pb.gz"));
  assert.deepEqual(r.exports, cjs.exports, "ESM and CommonJS entries export the same names");
  if (!needGo(t)) return;
  assert.equal(parseTop(goPprof(["-top", out]))[0]!.name, "esmHotFunction");
});
