// A shell command line, read as google/pprof reads it:
//   cmd[N] [arg] [regexp]... [-regexp]... [-cum] [>file]
// topN sets nodecount, bare regexps focus (tagfocus for `tags`), "-x"
// ignores, ">f" writes the report to f. top/text default to 10 nodes.

import type { Config } from "../config.js";
import { boolCommands, paramCommands, type Command, type CommandName } from "../driver/flags.js";
import { isOption } from "./options.js";
import { OptionError } from "./options.js";

const shellCommands = new Set<string>([...boolCommands, ...paramCommands]);

export function parseCommandLine(tokens: string[], current: Config): { command: Command; config: Config } {
  let name = tokens[0]!;
  let args = tokens.slice(1);
  if (!shellCommands.has(name)) {
    const digits = /\d+$/.exec(name)?.[0];
    if (digits && digits !== name) {
      name = name.slice(0, -digits.length);
      args = [digits, ...args];
    }
  }
  if (!shellCommands.has(name)) {
    if (isOption(name)) throw new OptionError(`did you mean: ${name}=${args[0] ?? "<val>"}`);
    throw new OptionError(`unrecognized command: "${name}"`);
  }
  const command: Command = { name: name as CommandName };
  if ((paramCommands as readonly string[]).includes(name)) {
    if (args.length === 0) throw new OptionError(`command ${name} requires an argument`);
    command.arg = args[0]!;
    args = args.slice(1);
  }
  const cfg: Config = { ...current };
  let focus = "";
  let ignore = "";
  const cat = (a: string, b: string) => (a !== "" && b !== "" ? `${a}|${b}` : a + b);
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (/^[+-]?\d+$/.test(t) && Math.abs(Number(t)) < 2 ** 31) {
      cfg.nodeCount = Number(t);
      continue;
    }
    if (t.startsWith(">")) {
      let file = t.slice(1);
      if (file === "") {
        if (++i >= args.length) throw new OptionError("unexpected end of line after >");
        file = args[i]!;
      }
      cfg.output = file;
    } else if (t.startsWith("-")) {
      if (t === "-cum" || t === "--cum") cfg.sort = "cum";
      else ignore = cat(ignore, t.slice(1));
    } else {
      focus = cat(focus, t);
    }
  }
  if (name === "tags") {
    if (focus !== "") cfg.tagFocus = focus;
    if (ignore !== "") cfg.tagIgnore = ignore;
  } else {
    if (focus !== "") cfg.focus = focus;
    if (ignore !== "") cfg.ignore = ignore;
  }
  if (cfg.nodeCount === -1 && (name === "top" || name === "text")) cfg.nodeCount = 10;
  return { command, config: cfg };
}
