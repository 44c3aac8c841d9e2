// -http=[host]:[port]: the web UI (src/analyzer/web) with the driver's
// filters, serving until the process is interrupted.

import process from "node:process";
import { applyFocus, copyForFilters } from "../filter/index.js";
import { numLabelUnits } from "../totals.js";
import type { Invocation } from "./flags.js";
import type { Loaded } from "./load.js";
import { openBrowser } from "./browser.js";
import { UsageError } from "./flags.js";

/** host:port as go tool pprof reads -http ("" host = localhost, "" port = any free one). */
export function parseHostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(":");
  if (i < 0) throw new UsageError(`-http=${hp}: want [host]:[port]`);
  let host = hp.slice(0, i);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const portText = hp.slice(i + 1);
  const port = portText === "" ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`-http=${hp}: bad port "${portText}"`);
  return { host: host === "" ? "localhost" : host, port };
}

export async function startWebUI(inv: Invocation, loaded: Loaded, warn: (m: string) => void): Promise<number> {
  const { host, port } = parseHostPort(inv.http);
  const web = await import("../web/index.js");
  const ui = await web.serveWebUI({
    profile: loaded.source,
    ...(loaded.base ? { base: { profile: loaded.base, diffBase: inv.diffBase } } : {}),
    config: inv.config,
    ...(loaded.merged ? { download: loaded.merged } : {}),
    host,
    port,
    // Every filter of the command line (focus … tagfocus, show_from, prune_from), on a copy.
    filter: (p, cfg) => {
      const copy = copyForFilters(p);
      applyFocus(copy, numLabelUnits(copy), cfg);
      return copy;
    },
  });
  warn(`Serving web UI on ${ui.url}`);
  if (!inv.noBrowser) {
    // Not awaited: the UI serves while the browser starts.
    void openBrowser(ui.url + "/ui/").then((failure) => {
      if (failure) warn(`Could not start a browser (${failure}); set BROWSER to one, or open ${ui.url}/ui/`);
    });
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await ui.close();
  return 0;
}
