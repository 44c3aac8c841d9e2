// The call graph as PDF, PNG, GIF or PostScript: these need Graphviz's own
// `dot` program (its WebAssembly build, used for -svg, has no raster or PDF
// renderer), run as go tool pprof runs it: DOT text in, the image out.

import { spawn } from "node:child_process";
import { GraphRenderError } from "./index.js";

export type DotFormat = "gif" | "pdf" | "png" | "ps";

export function renderWithDotProgram(dotText: string, format: DotFormat): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn("dot", [`-T${format}`], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // dot may exit before reading all of its input; its exit status tells what happened.
    child.stdin.on("error", () => {});
    child.once("error", (e: NodeJS.ErrnoException) => {
      reject(new GraphRenderError(e.code === "ENOENT"
        ? `-${format} needs Graphviz's dot program, which is not on PATH: install Graphviz (e.g. apt-get install graphviz), or use -svg, which needs nothing`
        : `could not run Graphviz's dot: ${e.message}`));
    });
    child.once("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const why = Buffer.concat(err).toString("utf8").trim().split("\n")[0] || (signal ? `killed by ${signal}` : `exit status ${code}`);
      reject(new GraphRenderError(`Graphviz's dot failed to render ${format}: ${why}`));
    });
    child.stdin.end(dotText);
  });
}
