// tsprof's own version, read once from its package.json (found upward from
// this module: src/util/ in a checkout, dist/{esm,cjs}/util/ when built).

import { readFileSync } from "node:fs";

let version: string | undefined;

export function packageVersion(): string {
  if (version !== undefined) return version;
  version = "unknown";
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tsprof" && typeof pkg.version === "string") {
        version = pkg.version;
        break;
      }
    } catch {
      // not there
    }
  }
  return version;
}
