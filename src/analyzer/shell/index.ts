// The interactive shell of `tsprof pprof SOURCE` (no report flag), as
// go tool pprof's: a "(pprof) " prompt on stdout reading lines from stdin;
// report commands (top, top10 -cum, list, peek, traces, tags, tree, web…),
// option settings (nodecount=10, sample_index=…, focus=…), sample type
// shortcuts (alloc_space, mean_delay…), ":" to clear filters, help, o, quit.
// Errors are printed on stderr and the shell goes on.

import { createInterface } from "node:readline";
import { mergeProfiles } from "../../profile/merge.js";
import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { emit, errorLine, type DriverIO } from "../driver/output.js";
import { runReport } from "../driver/report.js";
import { isViewerCommand, openInViewer } from "../driver/visualize.js";
import { sampleIndexByName } from "../filter/index.js";
import { Report, profileLabels } from "../report/index.js";
import { computeTotal } from "../totals.js";
import { parseCommandLine } from "./commands.js";
import { commandHelp, shellHelp } from "./help.js";
import { isBoolOption, isOption, listOptions, setOption } from "./options.js";

export async function runShell(profile: ProfileData, initial: Config, io: DriverIO): Promise<number> {
  const cfg: Config = { ...initial, compactLabels: true };
  const out = (s: string) => void io.stdout.write(s);
  const err = (s: string) => void io.stderr.write(s + "\n");
  // As go tool pprof: reports on stdout, the greeting, help and options on stderr.
  const info = (s: string) => void io.stderr.write(s);
  const types = profile.sampleType.map((t) => t.type);
  const shortcuts = new Map<string, string[]>([[":", ["focus=", "ignore=", "hide=", "tagfocus=", "tagignore="]]]);
  for (const t of types) {
    shortcuts.set(t, [`sample_index=${t}`]);
    shortcuts.set(`total_${t}`, ["mean=0", `sample_index=${t}`]);
    shortcuts.set(`mean_${t}`, ["mean=1", `sample_index=${t}`]);
  }

  info(greeting(profile, cfg));
  const rl = createInterface({ input: io.stdin, terminal: false });
  out("(pprof) ");
  for await (const raw of rl) {
    const line = raw.trim();
    for (const input of shortcuts.get(line) ?? [line]) {
      const done = await execute(input);
      if (done) {
        rl.close();
        return 0;
      }
    }
    out("(pprof) ");
  }
  if ((io.stdin as { isTTY?: boolean }).isTTY) out("\n");
  return 0;

  /** Runs one shell line; true when the shell should end. */
  async function execute(input: string): Promise<boolean> {
    try {
      const eq = input.indexOf("=");
      const name = (eq >= 0 ? input.slice(0, eq) : input).trim();
      if (isOption(name)) {
        if (eq < 0 && !isBoolOption(name)) {
          err(`please specify a value, e.g. ${name}=<val>`);
          return false;
        }
        let value = eq >= 0 ? input.slice(eq + 1) : "";
        const comment = value.lastIndexOf("//:");
        if (comment >= 0) value = value.slice(0, comment);
        value = value.trim();
        if (name === "sample_index") {
          const i = sampleIndexByName(profile, value);
          value = profile.sampleType[i]!.type;
        }
        setOption(cfg, name, value);
        return false;
      }
      const tokens = input.split(/\s+/).filter((t) => t !== "");
      if (tokens.length === 0) return false;
      switch (tokens[0]) {
        case "o":
        case "options":
          info(listOptions(cfg, types));
          return false;
        case "exit":
        case "quit":
        case "q":
          return true;
        case "help":
          if (tokens.length === 1) info(shellHelp());
          else {
            const h = commandHelp(tokens.slice(1).join(" "));
            if (h === undefined) err(`Unknown command: ${tokens.slice(1).join(" ")}`);
            else info(h);
          }
          return false;
      }
      const { command, config } = parseCommandLine(tokens, cfg);
      // Reports filter the profile they are given: each works on a copy.
      const result = await runReport(command, mergeProfiles([profile]), config, err);
      if (isViewerCommand(command.name) && config.output === "") {
        await openInViewer(command.name, result, err);
        return false;
      }
      emit(result, config.output, io, err);
    } catch (e) {
      err(errorLine(e));
    }
    return false;
  }
}

function greeting(profile: ProfileData, cfg: Config): string {
  let text = "";
  try {
    const sampleIndex = sampleIndexByName(profile, cfg.sampleIndex);
    const total = computeTotal(profile, sampleIndex, cfg.mean);
    const rpt = new Report("top", profile, cfg, { sampleIndex, total });
    text += profileLabels(rpt).join("\n") + "\n";
    if (rpt.total === 0 && profile.sampleType.length > 1) {
      text += "No samples were found with the default sample value type.\n";
      text += `Try "sample_index" command to analyze different sample values.\n\n`;
    }
  } catch {
    // A profile without sample types: no labels, as go tool pprof.
  }
  return text + `Entering interactive mode (type "help" for commands, "o" for options)\n`;
}
