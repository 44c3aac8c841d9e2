// google/pprof's Profile.Aggregate: before -proto writes a profile, the
// information finer than the chosen granularity is dropped (function names,
// file names, line numbers, addresses, inlined frames).

import type { ProfileData } from "../../profile/model.js";
import type { Granularity } from "../config.js";

export function aggregate(p: ProfileData, granularity: Granularity, noInlines: boolean): void {
  const inlines = !noInlines;
  let fn = false, file = false, line = false, addr = false;
  switch (granularity) {
    case "addresses":
      if (inlines) return;
      fn = file = line = addr = true;
      break;
    case "lines": fn = file = line = true; break;
    case "files": file = true; break;
    case "functions": fn = true; break;
    case "filefunctions": fn = file = true; break;
  }
  for (const m of p.mapping) {
    m.hasInlineFrames &&= inlines;
    m.hasFunctions &&= fn;
    m.hasFilenames &&= file;
    m.hasLineNumbers &&= line;
  }
  if (!fn || !file) {
    for (const f of p.function) {
      if (!fn) {
        f.name = "";
        f.systemName = "";
      }
      if (!file) f.filename = "";
    }
  }
  if (!inlines || !addr || !line) {
    for (const l of p.location) {
      if (!inlines && l.line.length > 1) l.line = l.line.slice(-1);
      if (!line) l.line = l.line.map((ln) => ({ ...ln, line: 0 }));
      if (!addr) l.address = 0n;
    }
  }
}
