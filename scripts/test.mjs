// Type-checks, then runs the test suite with node:test. With arguments, runs just those files.
// TSPROF_REQUIRE_TOOLS=1 (set by .ci/run) turns a skip for a missing `go` or
// browser into a failure.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { if (name !== "fixtures") out.push(...find(path)); }
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out.sort();
}

// The tests, benchmarks and sources type-check together (strict) before anything runs.
const typecheck = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.test.json"], { stdio: "inherit" });
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

const files = process.argv.length > 2 ? process.argv.slice(2) : find("test").map((f) => relative(".", f));
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
