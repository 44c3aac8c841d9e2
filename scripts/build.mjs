// Builds the package: ESM + declarations with tsc (the analyzer and the CLI run
// from these), then the runtime as CommonJS with esbuild (Node 20 cannot
// require() an ES module).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, chmodSync, readdirSync, rmSync, copyFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join, relative, resolve as resolvePath, sep } from "node:path";
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
const src = join(root, "src");
const cjsRoot = join(root, "dist/cjs");
mkdirSync(cjsRoot, { recursive: true });
writeFileSync(join(cjsRoot, "package.json"), '{ "type": "commonjs" }\n');
const common = {
  platform: "node",
  format: "cjs",
  target: "node20",
  // Strict, as the ES module source is: the directive must come first, and
  // esbuild writes its own "use strict" after the banner. Then import.meta.url,
  // computed only when used (pathToFileURL costs start-up time in every module).
  banner: { js: '"use strict";\nconst __tsprofMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  define: { "import.meta.url": "__tsprofMeta.url" },
  logLevel: "warning",
};

const runtimeFiles = listTs(src).filter((f) => !/[\\/]src[\\/](analyzer|cli)[\\/]/.test(f));
esbuild.buildSync({ ...common, entryPoints: runtimeFiles, outdir: cjsRoot, outbase: src, bundle: false });

// Plain CommonJS files that run as they are (the CPU profile's worker
// preload), next to their modules in both builds.
for (const file of listFiles(src, ".cjs")) {
  for (const out of [cjsRoot, join(root, "dist/esm")]) copyFileSync(file, join(out, relative(src, file)));
}

// The ESM entries name each export of the CommonJS module: `export *` from
// CommonJS would also export "module.exports" on Node 23 and later.
const entries = { index: "index.js", http: "http/index.js", otel: "otel/index.js", push: "push/index.js" };
for (const [name, file] of Object.entries(entries)) {
  writeFileSync(join(cjsRoot, `${name}.cjs`), `"use strict";\nmodule.exports = require("./${file}");\n`);
  const names = Object.keys(require(join(cjsRoot, file))).sort();
  writeFileSync(join(root, "dist/esm", file), `export { ${names.join(", ")} } from "${"../".repeat(file.split("/").length)}cjs/${file}";\n`);
}

// The tsprof/register preload, loaded by every process of a run before its
// first line, in as few files as can be: dist/cjs/register.cjs holds
// src/run/register.ts and what it needs before the first line (it reads the
// environment, starts V8's sampler for a CPU profile, installs the exit
// hooks). Every other import stays a require() of the per-file build above,
// loaded when needed, so the preload's CPU profile, label store and
// collectors are the ones `tsprof` sees.
const runDir = join(src, "run");
const preloadFiles = new Set(["register", "config", "preload", "parts", "hidden-listeners", "signal-watch"].map((m) => join(runDir, `${m}.ts`)));
await esbuild.build({
  ...common,
  entryPoints: [join(runDir, "register.ts")],
  outfile: join(cjsRoot, "register.cjs"),
  bundle: true,
  plugins: [{
    name: "shared-runtime",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolvePath(args.resolveDir, args.path).replace(/\.js$/, ".ts");
        if (preloadFiles.has(target)) return undefined;
        if (!target.startsWith(src + sep)) return { path: args.path, external: true };
        return { path: "./" + relative(src, target).split(sep).join("/").replace(/\.ts$/, ".js"), external: true };
      });
    },
  }],
});
// The --import entry: an ES module, so a process asking for no profile loads
// no CommonJS at all (the first CommonJS module of an ES module program costs
// milliseconds); otherwise it requires register.cjs (importing CommonJS would
// run Node's export scanner on it first).
const { PRELOAD_ENV_NAMES } = await import(pathToFileURL(join(root, "dist/esm/run/config.js")).href);
writeFileSync(join(root, "dist/esm/run/register.js"), `// tsprof/register for --import: see src/run/register.ts.
import { createRequire } from "node:module";
if (${JSON.stringify(PRELOAD_ENV_NAMES)}.some((name) => process.env[name])) createRequire(import.meta.url)("../../cjs/register.cjs");
`);

function listFiles(dir, ext) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : []);
}
function listTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : []);
}
// The tsprof command as a few files instead of a hundred: on Node 20, loading
// the analyzer's modules one by one took ~0.2 s of every `tsprof pprof`.
// tsc's dist/esm/cli/main.js is replaced by the bundle (its chunks beside
// it, at the same depth as dist/esm/run/, so paths relative to
// import.meta.url still resolve). Only the command is bundled: the library's
// entry points stay the shared per-file runtime.
const cliDir = join(root, "dist/esm/cli");
// The last build's chunks, and tsc's source map of a file the bundle replaces.
for (const f of readdirSync(cliDir)) if (/-[A-Z0-9]{8}\.js$|^main\.js\.map$/.test(f)) rmSync(join(cliDir, f));
await esbuild.build({
  entryPoints: [join(cliDir, "main.js")],
  outdir: cliDir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
chmodSync(join(cliDir, "main.js"), 0o755);
process.exitCode = tsc.status ?? 1;
