// The published entry points share one runtime per process: a profile created
// through one of them is seen through the others, whether loaded by import or
// require (the built package, as users get it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("tsprof and tsprof/http, imported and required, share one registry and one label store", () => {
  const script = `
    import { createRequire } from "node:module";
    const require = createRequire(${JSON.stringify(root + "/package.json")});
    const esm = await import("tsprof");
    const cjs = require("tsprof");
    const http = require("tsprof/http");
    esm.newProfile("example.com/conns");
    const seen = cjs.lookup("example.com/conns") !== undefined;
    const label = await esm.runWithLabels(esm.labels("route", "/a"), async () => cjs.label("route"));
    console.log(JSON.stringify({ seen, label, httpHandler: typeof http.handler }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), { seen: true, label: "/a", httpHandler: "function" });
});
