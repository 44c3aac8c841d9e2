// The tabwriter behind the debug=1 texts against Go's own text/tabwriter with
// runtime/pprof's settings, on inputs shaped like profile texts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { needGo } from "../helpers/tools.ts";
import { tabwrite } from "../../src/util/tabwriter.ts";
import { dir } from "./_helpers.ts";

const goProgram = `package main

import (
	"io"
	"os"
	"text/tabwriter"
)

func main() {
	tw := tabwriter.NewWriter(os.Stdout, 1, 8, 1, '\\t', 0)
	b, _ := io.ReadAll(os.Stdin)
	tw.Write(b)
	tw.Flush()
}
`;

const inputs = [
  "x profile: total 3\n2 @ 0x1 0x2\n#\t0x1\topenA+0x0\t/a.ts:3\n#\t0x2\tasyncRunEntryPointWithESMLoader+0x0\tnode:internal/modules/run_main:117\n\n1 @ 0x3\n#\t0x3\tf+0x0\t/b.ts:1\n\n",
  "heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1\n#\t0x1\tnext+0x0\t:0\n\n\n# rss = 1\n",
  "a\tb\tc\nlonger cell here\tb\nno tabs\n\tleading empty\t\nunterminated\tline",
  "ünïcödé\tx\nab\ty\n",
  "",
];

test("tabwrite matches Go's text/tabwriter (minwidth 1, tabwidth 8, padding 1, tabs)", (t) => {
  if (!needGo(t)) return;
  const src = join(dir, "tabwriter.go");
  writeFileSync(src, goProgram);
  for (const input of inputs) {
    const want = execFileSync("go", ["run", src], { input, encoding: "utf8", env: { ...process.env, GO111MODULE: "off" } });
    assert.equal(tabwrite(input), want, JSON.stringify(input));
  }
});
