// `tsprof pprof -http=HOST:PORT`: the analyzer's web UI, served with node:http
// on loopback unless told otherwise. Pages are plain HTML/CSS/JS made on the
// server from the same reports as the text output.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import type { BaseProfile } from "./combine.js";
import { defaultFilter, type ProfileFilter } from "./filter.js";
import { isLoopback, makeHandler } from "./server.js";
import { WebState } from "./state.js";

export type { BaseProfile } from "./combine.js";
export type { ProfileFilter } from "./filter.js";
export { defaultFilter } from "./filter.js";

export interface WebUIOptions {
  /** The profile to show (several sources already merged), not yet combined with a base. */
  profile: ProfileData;
  /** -base / -diff_base: the base profile as loaded; the UI subtracts it and adds the Diff view. */
  base?: BaseProfile;
  /** The analyzer options (sample index, granularity, filters, node counts…); the page's URL can change si, focus, ignore, hide and show. */
  config: Config;
  /** Default "127.0.0.1" ("localhost" is also loopback). */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * Applies the filters of a Config to a profile without changing it.
   * Default: the driver's filters (src/analyzer/filter) on a copy.
   */
  filter?: ProfileFilter;
  /** What /ui/download sends, when not `profile` (the driver merges a single source only for it). Default: the profile shown. */
  download?: () => ProfileData;
}

export interface WebUI {
  /** e.g. "http://127.0.0.1:8080" — what go tool pprof prints as "Serving web UI on …"; pages are under /ui/. */
  url: string;
  close(): Promise<void>;
}

export async function serveWebUI(opts: WebUIOptions): Promise<WebUI> {
  const host = opts.host === undefined || opts.host === "" ? "127.0.0.1" : opts.host;
  const state = new WebState(opts.profile, opts.base, opts.config, opts.filter ?? defaultFilter);
  const loopbackOnly = host === "localhost" || isLoopback(host);
  const handler = makeHandler(state, { loopbackOnly, download: opts.base ? undefined : opts.download });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // The default page is computed right away, while the caller prints the URL
  // and a browser starts; its request then finds it ready (or waits for it).
  const warming = new Promise<void>((resolve) => setImmediate(() => handler.warm().catch(() => {}).finally(resolve)));
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host === "localhost" ? "localhost" : shownHost}:${addr.port}`,
    close: () => warming.then(() => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    })),
  };
}
