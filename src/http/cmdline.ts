// /debug/pprof/cmdline and /debug/pprof/symbol.

import type { ServerResponse } from "node:http";
import { sendBody, setNoSniff } from "./respond.js";

/** The command line, arguments separated by NUL bytes: node, its own flags, the script and its arguments. */
export function serveCmdline(res: ServerResponse): void {
  setNoSniff(res);
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  sendBody(res, 200, [process.argv[0] ?? process.execPath, ...process.execArgv, ...process.argv.slice(1)].join("\x00"));
}

/**
 * pprof asks here for the names of addresses it could not symbolize. A
 * JavaScript process has no table of program counters, and every profile
 * served here is symbolized already (functions, files and lines), so the
 * answer is that there are no symbols: pprof then asks nothing more.
 */
export function serveSymbol(res: ServerResponse): void {
  setNoSniff(res);
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  sendBody(res, 200, "num_symbols: 0\n");
}
