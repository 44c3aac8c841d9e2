// Span profiles are opt-in: a process using tsprof without importing
// tsprof/otel loads nothing of OpenTelemetry, and no other source file
// reaches it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const src = join(root, "src");

test("no source file outside src/otel imports tsprof/otel or OpenTelemetry", () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (path !== join(src, "otel")) walk(path);
      } else if (/\.c?ts$/.test(name) && /["']@opentelemetry\/|["'][./]*\/otel\//.test(readFileSync(path, "utf8"))) {
        offenders.push(relative(src, path));
      }
    }
  };
  walk(src);
  assert.deepEqual(offenders, []);
});

// The built package, as users load it (the runtime is CommonJS, so
// require.cache lists every module of it that loaded).
const script = `
  import { createRequire } from "node:module";
  import { PassThrough } from "node:stream";
  import * as pprof from "tsprof";
  import { withRequestLabels, handler } from "tsprof/http";
  const require = createRequire(${JSON.stringify(join(root, "package.json"))});
  const loaded = () => Object.keys(require.cache).filter((f) => /@opentelemetry|[\\\\/]otel([\\\\/]|\\.cjs$)/.test(f));
  pprof.startCPUProfile(new PassThrough());
  await pprof.runWithLabels(pprof.labels("route", "/a"), async () => { await new Promise((r) => setTimeout(r, 20)); });
  withRequestLabels(() => {}); handler();
  await pprof.stopCPUProfile();
  const before = loaded();
  const otelGlobal = globalThis[Symbol.for("opentelemetry.js.api.1")] !== undefined;
  await import("tsprof/otel");
  console.log(JSON.stringify({ before, otelGlobal, after: loaded().map((f) => f.replace(/.*node_modules[\\\\/]/, "").replace(/.*dist[\\\\/]/, "dist/")) }));
`;

test("without tsprof/otel, nothing of OpenTelemetry loads; importing it loads @opentelemetry/api", () => {
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }));
  assert.deepEqual(out.before, []);
  assert.equal(out.otelGlobal, false);
  // The check sees OpenTelemetry once it is asked for.
  assert.ok(out.after.includes("dist/cjs/otel/index.js"), out.after.join("\n"));
  assert.ok(out.after.some((f: string) => f.startsWith("@opentelemetry/api")), out.after.join("\n"));
});

test("the built tsprof/otel, imported or required, labels the one label store tsprof reads", () => {
  const check = `
    import { createRequire } from "node:module";
    import { trace } from "@opentelemetry/api";
    import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
    import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
    import { label } from "tsprof";
    import { spanProfiles } from "tsprof/otel";
    const require = createRequire(${JSON.stringify(join(root, "package.json"))});
    const required = require("tsprof/otel");
    new NodeTracerProvider().register({ contextManager: spanProfiles(new AsyncLocalStorageContextManager()) });
    const seen = await trace.getTracer("t").startActiveSpan("s", async (span) => {
      await new Promise((r) => setTimeout(r, 1));
      span.end();
      return label("span_id") === span.spanContext().spanId;
    });
    console.log(JSON.stringify({ seen, same: required.spanProfiles === spanProfiles }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", check], { cwd: root, encoding: "utf8" }));
  assert.deepEqual(out, { seen: true, same: true });
});
