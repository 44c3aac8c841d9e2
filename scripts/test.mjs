// Type-checks, then runs the test suite with node:test. With file arguments,
// runs just those files.
//
// The suite runs on this process's Node.js, or with --nodes on every Node.js
// under .ci/nodes (installed there by `npm ci --prefix .ci/nodes`, as .ci/run
// does), one after another, and says at the end which version failed. Each
// version's run has that version first on PATH, so the `node` the tests spawn
// is the version under test.
//
// TSPROF_REQUIRE_TOOLS=1 (set by .ci/run) turns a skip for a missing `go` or
// browser into a failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nodesDir = join(root, ".ci/nodes/node_modules");

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { if (name !== "fixtures") out.push(...find(path)); }
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out.sort();
}

/** The Node.js binaries under .ci/nodes, oldest first. */
function installedNodes() {
  if (!existsSync(nodesDir)) {
    console.error(`--nodes: no Node.js releases in ${relative(root, nodesDir)}; install them with: npm ci --prefix .ci/nodes`);
    process.exit(2);
  }
  return readdirSync(nodesDir)
    .map((name) => join(nodesDir, name, "bin/node"))
    .filter((bin) => existsSync(bin))
    .sort((a, b) => nodeMajor(a) - nodeMajor(b));
}

function nodeVersion(bin) {
  return spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim();
}

function nodeMajor(bin) {
  return Number(/^v(\d+)/.exec(nodeVersion(bin))?.[1] ?? 0);
}

const args = process.argv.slice(2);
const allNodes = args.includes("--nodes");
const files = args.filter((a) => a !== "--nodes");
const nodes = allNodes ? installedNodes() : [process.execPath];

// The tests, benchmarks and sources type-check together (strict) before anything runs.
const typecheck = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.test.json")], { stdio: "inherit" });
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

const testFiles = files.length > 0 ? files : find(join(root, "test")).map((f) => relative(root, f));
const results = [];
const failuresDir = mkdtempSync(join(tmpdir(), "tsprof-test-"));
const failuresReporter = join(root, "scripts/test-failures-reporter.mjs");
for (const bin of nodes) {
  const version = nodeVersion(bin);
  if (allNodes) console.log(`\n# ===== Node.js ${version}: ${testFiles.length} test file${testFiles.length === 1 ? "" : "s"} =====\n`);
  const started = Date.now();
  // glibc fills freed memory with this byte, so a process that reads memory
  // after freeing it (Node 26 at exit with a heap sampler left running, see
  // src/collect/heap-sampler.ts) crashes every time, not now and then.
  const env = { MALLOC_PERTURB_: "165", ...process.env, PATH: `${dirname(bin)}${delimiter}${process.env.PATH ?? ""}` };
  const failuresFile = join(failuresDir, `${version}.txt`);
  const reporters = ["--test-reporter=spec", "--test-reporter-destination=stdout", `--test-reporter=${failuresReporter}`, `--test-reporter-destination=${failuresFile}`];
  const result = spawnSync(bin, ["--import", "tsx", "--test", "--test-concurrency=2", ...reporters, ...testFiles], { stdio: "inherit", cwd: root, env });
  const failures = existsSync(failuresFile) ? readFileSync(failuresFile, "utf8").trim() : "";
  results.push({ version, status: result.status ?? 1, seconds: (Date.now() - started) / 1000, failures });
}
rmSync(failuresDir, { recursive: true, force: true });

if (allNodes) {
  console.log("\n# ===== Summary =====");
  for (const r of results) {
    console.log(`# Node.js ${r.version}: ${r.status === 0 ? "passed" : `FAILED (exit ${r.status})`} in ${r.seconds.toFixed(0)} s`);
    if (r.failures) console.log(r.failures.replace(/^/gm, "#   "));
  }
  const failed = results.filter((r) => r.status !== 0).map((r) => r.version);
  if (failed.length > 0) console.log(`# The suite failed on ${failed.join(", ")}.`);
}
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
