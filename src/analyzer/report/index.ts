// The analyzer's text reports, each printing what `go tool pprof` prints.
//
//   generateReport(kind, profile, config, ctx)   top/text, traces, tags, peek,
//       tree, list, dot, raw, comments, as a string. `profile` is the profile
//       after the driver's filtering (focus, ignore, hide, show, tagfocus…);
//       ctx.total is the total of the profile *before* that filtering, as
//       google/pprof reports percentages of it (see ReportContext).
//   generateReportParts(...)                     the same as pieces to write
//       one after another (a huge traces report exceeds V8's longest string).
//   new Report(kind, profile, config, ctx)       for the web UI: .trimmedGraph(),
//       textItems(rpt) (the top table), dotGraph(rpt) (graph + legend for SVG).
//
// Errors a user can cause (no match for a regexp, a bad sample index) are
// thrown as ReportError with google/pprof's message.

import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { printCallgrind } from "./callgrind.js";
import { printDot } from "./dot.js";
import { printSource } from "./list.js";
import { ReportError, type ReportContext, type ReportKind } from "./options.js";
import { profileString } from "./raw.js";
import { Report } from "./report.js";
import { printTags } from "./tags.js";
import { printText, printTree } from "./text.js";
import { printTraces, tracesParts } from "./traces.js";

export { Report } from "./report.js";
export type { TrimmedGraph } from "./report.js";
export {
  ReportError, applyCommandOverrides, activeFilters, regexpText,
} from "./options.js";
export type { ReportContext, ReportKind, ReportOptions, SourceReaderLike } from "./options.js";
export { computeTotal, numLabelUnits, isDiffBaseSample } from "../totals.js";
export { textItems, printText, printTree } from "./text.js";
export { topProto } from "./topproto.js";
export { printWebSource } from "./weblist.js";
export { sourceListings } from "./list.js";
export type { SourceListing, SourceRow } from "./list.js";
export type { TextItem } from "./text.js";
export { dotGraph, printDot } from "./dot.js";
export { profileLabels, reportLabels } from "./labels.js";
export { profileString } from "./raw.js";
export { DiskSourceReader, embeddedSources, embeddedSourcesNear, trimSourcePath } from "./source.js";

/** Report kinds that need ctx.symbol. */
export const kindsNeedingRegexp: readonly ReportKind[] = ["peek", "list"];

/**
 * Produces one report as `go tool pprof -KIND` prints it. The per-command
 * overrides of go tool pprof are applied here (top/text show every node unless
 * nodeCount is set; other graph reports default to 80 nodes; peek and list do
 * not trim; list works on lines; raw on addresses).
 */
export function generateReport(kind: ReportKind, profile: ProfileData, config: Config, ctx: ReportContext): string {
  if ((kind === "peek" || kind === "list") && !ctx.symbol) throw new ReportError(`command ${kind} requires an argument`);
  const rpt = new Report(kind === "peek" ? "peek" : kind, profile, config, ctx);
  switch (kind) {
    case "top":
    case "text":
      return printText(rpt);
    case "tree":
    case "peek":
      return printTree(rpt);
    case "traces":
      try {
        return printTraces(rpt);
      } catch (e) {
        if (e instanceof RangeError) throw new ReportError("the traces report is too large to print as one string; write generateReportParts() one part at a time");
        throw e;
      }
    case "tags":
      return printTags(rpt);
    case "list":
      return printSource(rpt);
    case "dot":
      return printDot(rpt);
    case "raw":
      return profileString(profile);
    case "comments":
      return profile.comments.map((c) => c + "\n").join("");
    case "callgrind":
      return printCallgrind(rpt);
    case "topproto":
      throw new ReportError("topproto is a profile, not text: use topProto(new Report(...))");
  }
}

/**
 * generateReport's output in parts whose concatenation is the report, for
 * writing a report too large for one string (traces of a huge profile).
 */
export function generateReportParts(kind: ReportKind, profile: ProfileData, config: Config, ctx: ReportContext): string[] {
  if (kind !== "traces") return [generateReport(kind, profile, config, ctx)];
  return tracesParts(new Report(kind, profile, config, ctx));
}
