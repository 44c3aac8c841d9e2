// Builds the package: ESM + declarations with tsc, then CommonJS bundles of the
// public entry points with esbuild (Node 20 cannot require() an ES module).
import { spawnSync } from "node:child_process";
import { rmSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
// dist is overwritten in place, not removed: concurrent test runs may be reading it.

const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], { stdio: "inherit" });

const esbuild = require("esbuild");
const cjsEntries = { index: "src/index.ts", http: "src/http/index.ts", register: "src/run/register.ts" };
mkdirSync(join(root, "dist/cjs"), { recursive: true });
const shim = join(root, "dist/cjs/import-meta-url.js");
writeFileSync(shim, "export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;\n");
for (const [name, entry] of Object.entries(cjsEntries)) {
  esbuild.buildSync({
    entryPoints: [join(root, entry)],
    outfile: join(root, `dist/cjs/${name}.cjs`),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    inject: [shim],
    define: { "import.meta.url": "importMetaUrl" },
    logLevel: "warning",
  });
}
rmSync(shim);
chmodSync(join(root, "dist/esm/cli/main.js"), 0o755);
process.exitCode = tsc.status ?? 1;
