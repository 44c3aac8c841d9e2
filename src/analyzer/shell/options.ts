// Option settings in the shell (`nodecount=10`, `sample_index=alloc_space`,
// `focus=main\.`, `cum=true`, `granularity=lines`) and the `o`/`options`
// listing, with google/pprof's parsing and messages.

import type { Config } from "../config.js";
import { configFlags, granularityChoices, parseBool, parseFloatGo, parseIntGo, sortChoices } from "../driver/flags.js";

export class OptionError extends Error {
  override name = "OptionError";
}

export function isOption(name: string): boolean {
  return name in configFlags || name === "sort" || name === "granularity" ||
    (sortChoices as readonly string[]).includes(name) || (granularityChoices as string[]).includes(name);
}

export function isBoolOption(name: string): boolean {
  return configFlags[name]?.[0] === "bool" || (sortChoices as readonly string[]).includes(name) || (granularityChoices as string[]).includes(name);
}

/** Sets option `name` of `cfg` from its text form. */
export function setOption(cfg: Config, name: string, value: string): void {
  const group = (sortChoices as readonly string[]).includes(name) ? "sort" : (granularityChoices as string[]).includes(name) ? "granularity" : undefined;
  if (group) {
    const b = parseBool(value === "" ? "true" : value);
    if (b === undefined) throw new OptionError(`illegal value "${value}" for bool variable`);
    if (!b) throw new OptionError(`${name}=false: choose another option of the group instead`);
    if (group === "sort") cfg.sort = name as Config["sort"];
    else cfg.granularity = name as Config["granularity"];
    return;
  }
  if (name === "sort") {
    if (!(sortChoices as readonly string[]).includes(value)) throw new OptionError(`invalid "sort" value "${value}"`);
    cfg.sort = value as Config["sort"];
    return;
  }
  if (name === "granularity") {
    if (!(granularityChoices as string[]).includes(value)) throw new OptionError(`invalid "granularity" value "${value}"`);
    cfg.granularity = value as Config["granularity"];
    return;
  }
  const entry = configFlags[name];
  if (!entry) throw new OptionError(`unknown option "${name}"`);
  const [kind, field] = entry;
  const c = cfg as unknown as Record<string, unknown>;
  switch (kind) {
    case "bool": {
      const b = value === "" ? true : parseBool(value.toLowerCase() === "yes" || value.toLowerCase() === "y" ? "true" : value.toLowerCase() === "no" || value.toLowerCase() === "n" ? "false" : value);
      if (b === undefined) throw new OptionError(`illegal value "${value}" for bool variable`);
      c[field] = b;
      return;
    }
    case "int": {
      const n = parseIntGo(value);
      if (n === undefined) throw new OptionError(`strconv.Atoi: parsing "${value}": invalid syntax`);
      c[field] = n;
      return;
    }
    case "float": {
      const n = parseFloatGo(value);
      if (n === undefined) throw new OptionError(`strconv.ParseFloat: parsing "${value}": invalid syntax`);
      c[field] = n;
      return;
    }
    default:
      c[field] = value;
  }
}

/** The `options` listing: one `  name = value //: comment` line per option, sorted. */
export function listOptions(cfg: Config, sampleTypes: string[]): string {
  const lines: string[] = [];
  const c = cfg as unknown as Record<string, unknown>;
  for (const [name, [, field]] of Object.entries(configFlags)) {
    if (name === "source_path") continue;
    let v = String(c[field]);
    let comment = "";
    if (name === "sample_index") {
      if (v === "") v = sampleTypes[sampleTypes.length - 1] ?? "";
      comment = `[${sampleTypes.join(" | ")}]`;
    } else if (name === "nodecount" && v === "-1") comment = "default";
    else if (v === "") v = `""`;
    lines.push(`  ${name.padEnd(25)} = ${v.padEnd(20)} ${comment ? "//: " + comment : ""}`);
  }
  lines.push(`  ${"granularity".padEnd(25)} = ${cfg.granularity.padEnd(20)} //: [${[...granularityChoices].sort().join(" | ")}]`);
  lines.push(`  ${"sort".padEnd(25)} = ${cfg.sort.padEnd(20)} //: [${[...sortChoices].sort().join(" | ")}]`);
  return lines.sort().join("\n") + "\n";
}
