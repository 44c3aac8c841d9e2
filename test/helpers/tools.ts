// Test helpers for external tools: `go tool pprof` (the oracle) and Chromium.
// On a developer's bare machine a test needing them skips with a reason; under
// .ci/run (TSPROF_REQUIRE_TOOLS=1) a missing tool fails the test instead.

import { spawnSync, execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";

const required = process.env.TSPROF_REQUIRE_TOOLS === "1";

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

export const hasGo = has("go");
export const hasDot = has("dot");
export const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/** Skips (or, under CI, fails) the test when `go` is missing; returns false when skipped. */
export function needGo(t: TestContext): boolean {
  if (hasGo) return true;
  if (required) throw new Error("go is required (TSPROF_REQUIRE_TOOLS=1) but not installed");
  t.skip("go not installed: the go tool pprof oracle is unavailable");
  return false;
}

/** Graphviz's dot program, for -pdf/-png/-gif/-ps (and go tool pprof's own images). */
export function needDot(t: TestContext): boolean {
  if (hasDot) return true;
  if (required) throw new Error("graphviz's dot is required (TSPROF_REQUIRE_TOOLS=1) but not installed");
  t.skip("graphviz not installed: no dot program");
  return false;
}

export function needChromium(t: TestContext): boolean {
  if (chromiumPath) return true;
  if (required) throw new Error("chromium is required (TSPROF_REQUIRE_TOOLS=1) but not installed");
  t.skip("chromium not installed");
  return false;
}

/** Runs `go tool pprof ARGS...` and returns stdout; throws with stderr on failure. */
export function goPprof(args: string[], options: { timeoutMs?: number } = {}): string {
  return execFileSync("go", ["tool", "pprof", ...args], {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PPROF_TMPDIR: process.env.PPROF_TMPDIR ?? "/tmp/tsprof-pprof-tmp", PPROF_BINARY_PATH: "/nonexistent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs `go tool pprof ARGS...`: stdout; fails the test on a non-zero exit or on any warning, so a profile must load cleanly. */
export function goPprofStrict(args: string[]): string {
  const r = spawnSync("go", ["tool", "pprof", ...args], {
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PPROF_TMPDIR: process.env.PPROF_TMPDIR ?? "/tmp/tsprof-pprof-tmp", PPROF_BINARY_PATH: "/nonexistent" },
  });
  assert.equal(r.status, 0, `go tool pprof ${args.join(" ")} failed: ${r.stderr}`);
  assert.equal(r.stderr.trim(), "", `go tool pprof printed warnings: ${r.stderr}`);
  return r.stdout;
}

/** `go tool pprof -top` rows parsed: function name → { flat, cum } as printed strings and numbers in the report's unit. */
export interface TopRow { flat: string; flatPct: number; cum: string; cumPct: number; name: string }

export function parseTop(output: string): TopRow[] {
  const rows: TopRow[] = [];
  let inTable = false;
  for (const line of output.split("\n")) {
    if (/^\s+flat\s+flat%/.test(line)) { inTable = true; continue; }
    if (!inTable || !line.trim()) continue;
    const m = /^\s*(\S+)\s+([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+([\d.]+)%\s+(.*)$/.exec(line);
    if (m) rows.push({ flat: m[1]!, flatPct: Number(m[2]), cum: m[4]!, cumPct: Number(m[5]), name: m[6]! });
  }
  return rows;
}
