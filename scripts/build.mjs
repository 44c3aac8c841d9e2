// Builds the package: ESM + declarations with tsc (the analyzer and the CLI run
// from these), then the runtime as CommonJS with esbuild (Node 20 cannot
// require() an ES module).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, chmodSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
// dist is overwritten in place, not removed: concurrent test runs may be reading it.

const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], { stdio: "inherit" });

// The runtime (everything but the analyzer and the CLI) also as CommonJS, file
// for file, and the ESM entry points re-export it: ESM and CommonJS users,
// tsprof/http and the tsprof/register preload then share one registry, one
// CPU profiler, one heap sampler and one label store per process.
const esbuild = require("esbuild");
const cjsRoot = join(root, "dist/cjs");
mkdirSync(cjsRoot, { recursive: true });
writeFileSync(join(cjsRoot, "package.json"), '{ "type": "commonjs" }\n');
const runtimeFiles = listTs(join(root, "src")).filter((f) => !/[\\/]src[\\/](analyzer|cli)[\\/]/.test(f));
esbuild.buildSync({
  entryPoints: runtimeFiles,
  outdir: cjsRoot,
  outbase: join(root, "src"),
  bundle: false,
  platform: "node",
  format: "cjs",
  target: "node20",
  banner: { js: 'const __tsprofModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { "import.meta.url": "__tsprofModuleUrl" },
  logLevel: "warning",
});
const entries = { index: "index.js", http: "http/index.js", register: "run/register.js" };
for (const [name, file] of Object.entries(entries)) {
  writeFileSync(join(cjsRoot, `${name}.cjs`), `module.exports = require("./${file}");\n`);
  writeFileSync(join(root, "dist/esm", file), `export * from "${"../".repeat(file.split("/").length)}cjs/${file}";\n`);
}

function listTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : []);
}
chmodSync(join(root, "dist/esm/cli/main.js"), 0o755);
process.exitCode = tsc.status ?? 1;
