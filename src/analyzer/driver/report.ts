// One report of a loaded profile, as text or bytes: the text reports from
// src/analyzer/report, -proto, -topproto, -svg (Graphviz compiled to
// WebAssembly), -pdf/-png/-gif/-ps (Graphviz's dot program) and the flame
// graph (HTML, or SVG when the output file ends in .svg). The viewer commands
// (web, weblist, eog, evince, gv, kcachegrind) produce what their viewer
// opens. Shared
// by the command line and the interactive shell.

import { encodeProfileGzipSync } from "../../profile/encode.js";
import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { prepareReport, type Warn } from "../filter/index.js";
import { generateReport, printWebSource, Report, ReportError, topProto, type ReportKind } from "../report/index.js";
import type { Command } from "./flags.js";

export interface ReportOutput {
  data: string | Uint8Array;
  /** Binary data (not to be printed on a terminal). */
  binary: boolean;
  /** Suggested file extension when the output goes to a file of our choosing. */
  ext: string;
}

/**
 * Runs `cmd` on `p`, which is filtered in place: give a copy when the
 * profile is used again (the shell does).
 */
export async function runReport(cmd: Command, p: ProfileData, cfg: Config, warn: Warn): Promise<ReportOutput> {
  switch (cmd.name) {
    case "proto": {
      const { profile } = prepareReport("proto", p, cfg, { warn });
      if (cfg.divideBy !== 1 && cfg.divideBy !== 0) {
        const r = 1 / cfg.divideBy;
        for (const s of profile.sample) s.value = s.value.map((v) => Math.trunc(v * r));
      }
      return { data: encodeProfileGzipSync(profile), binary: true, ext: ".pb.gz" };
    }
    case "topproto": {
      const { profile, ctx } = prepareReport("topproto", p, cfg, { warn });
      return { data: encodeProfileGzipSync(topProto(new Report("topproto", profile, cfg, ctx))), binary: true, ext: ".pb.gz" };
    }
    case "svg":
    case "web":
    case "eog": {
      const dot = textReport("dot", p, cfg, warn, cmd.arg);
      const { renderGraphSVG } = await import("../svg/index.js");
      return { data: await renderGraphSVG(dot), binary: false, ext: ".svg" };
    }
    case "gif":
    case "pdf":
    case "png":
    case "ps":
    case "evince":
    case "gv": {
      const format = cmd.name === "evince" ? "pdf" : cmd.name === "gv" ? "ps" : cmd.name;
      const dot = textReport("dot", p, cfg, warn, cmd.arg);
      const { renderWithDotProgram } = await import("../svg/dot-program.js");
      return { data: await renderWithDotProgram(dot, format), binary: true, ext: "." + format };
    }
    case "weblist": {
      const { profile, ctx } = prepareReport("list", p, cfg, { warn, symbol: cmd.arg });
      if (!ctx.symbol) throw new ReportError("command weblist requires an argument");
      return { data: printWebSource(new Report("list", profile, cfg, ctx)), binary: false, ext: ".html" };
    }
    case "kcachegrind":
      return { data: textReport("callgrind", p, cfg, warn, cmd.arg), binary: false, ext: ".callgrind" };
    case "flamegraph": {
      const { profile, ctx } = prepareReport("top", p, cfg, { warn });
      const flame = await import("../flame/index.js");
      // The flame graph reads the sample index from the config.
      const fcfg = { ...cfg, sampleIndex: String(ctx.sampleIndex) };
      if (cfg.output.endsWith(".svg")) return { data: flame.flameGraphSVG(profile, fcfg), binary: false, ext: ".svg" };
      return { data: flame.flameGraphHTML(profile, fcfg), binary: false, ext: ".html" };
    }
    default:
      return { data: textReport(cmd.name, p, cfg, warn, cmd.arg), binary: false, ext: ".txt" };
  }
}

function textReport(kind: ReportKind, p: ProfileData, cfg: Config, warn: Warn, arg: string | undefined): string {
  const { profile, ctx } = prepareReport(kind, p, cfg, { warn, symbol: arg });
  return generateReport(kind, profile, cfg, ctx);
}
