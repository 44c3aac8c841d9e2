// The published entry points export exactly the API, the same names whether
// imported or required, on every Node version (Node 23 and later would add a
// "module.exports" name to an ES module re-exporting CommonJS with export *).
// The expected names are the source entries' runtime exports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as rootApi from "../../src/index.ts";
import * as httpApi from "../../src/http/index.ts";
import * as otelApi from "../../src/otel/index.ts";
import * as pushApi from "../../src/push/index.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("tsprof, tsprof/http, tsprof/otel and tsprof/push, imported and required, export exactly the source entries' names", () => {
  const script = `
    import { createRequire } from "node:module";
    const require = createRequire(${JSON.stringify(root + "/package.json")});
    const names = (m) => Object.keys(m).sort();
    console.log(JSON.stringify({
      importRoot: names(await import("tsprof")),
      requireRoot: names(require("tsprof")),
      importHttp: names(await import("tsprof/http")),
      requireHttp: names(require("tsprof/http")),
      importOtel: names(await import("tsprof/otel")),
      requireOtel: names(require("tsprof/otel")),
      importPush: names(await import("tsprof/push")),
      requirePush: names(require("tsprof/push")),
    }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }));
  const rootNames = Object.keys(rootApi).sort();
  const httpNames = Object.keys(httpApi).sort();
  const otelNames = Object.keys(otelApi).sort();
  const pushNames = Object.keys(pushApi).sort();
  assert.ok(rootNames.includes("startCPUProfile") && httpNames.includes("handler") && otelNames.includes("spanProfiles") && pushNames.includes("startPush"));
  assert.deepEqual(out, {
    importRoot: rootNames, requireRoot: rootNames, importHttp: httpNames, requireHttp: httpNames,
    importOtel: otelNames, requireOtel: otelNames, importPush: pushNames, requirePush: pushNames,
  });
});

test("the built CommonJS runtime is strict mode, as its source", () => {
  const cjs = join(root, "dist/cjs");
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : /\.c?js$/.test(e.name) ? [join(dir, e.name)] : []);
  const all = files(cjs);
  assert.ok(all.length > 20, `${all.length} files under ${cjs}`);
  // The directive counts only as the first statement.
  const sloppy = all.filter((f) => !readFileSync(f, "utf8").startsWith('"use strict";'));
  assert.deepEqual(sloppy, []);
  // And runs so: sloppy functions have their own "caller" property, strict ones do not.
  const script = `
    const sloppy = [];
    for (const entry of ["index.cjs", "http.cjs", "otel.cjs", "push.cjs"]) {
      for (const [name, value] of Object.entries(require(${JSON.stringify(cjs)} + "/" + entry))) {
        if (typeof value === "function" && Object.hasOwn(value, "caller")) sloppy.push(name);
      }
    }
    console.log(JSON.stringify(sloppy));
  `;
  assert.deepEqual(JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })), []);
});
