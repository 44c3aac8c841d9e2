// `raw`: the profile as google/pprof's Profile.String() prints it.

import type { Location, Mapping, ProfileData, Sample } from "../../profile/model.js";
import { formatGoDuration, formatGoTime } from "./gotime.js";

export function profileString(p: ProfileData): string {
  const ss: string[] = [];
  for (const c of p.comments) ss.push("Comment: " + c);
  if (p.periodType) ss.push(`PeriodType: ${p.periodType.type} ${p.periodType.unit}`);
  ss.push(`Period: ${p.period}`);
  if (p.timeNanos !== 0n) ss.push("Time: " + formatGoTime(p.timeNanos));
  // %.4v of a time.Duration: its String() cut to 4 characters.
  if (p.durationNanos !== 0) ss.push("Duration: " + [...formatGoDuration(p.durationNanos)].slice(0, 4).join(""));
  ss.push("Samples:");
  let sh = "";
  for (const st of p.sampleType) sh += `${st.type}/${st.unit}${st.type === p.defaultSampleType ? "[dflt]" : ""} `;
  ss.push(sh.trim());
  for (const s of p.sample) ss.push(sampleString(s));
  ss.push("Locations");
  for (const l of p.location) ss.push(locationString(l));
  ss.push("Mappings");
  for (const m of p.mapping) ss.push(mappingString(m));
  return ss.join("\n") + "\n";
}

function hex(v: bigint): string {
  return "0x" + v.toString(16);
}

function mappingString(m: Mapping): string {
  let bits = "";
  if (m.hasFunctions) bits += "[FN]";
  if (m.hasFilenames) bits += "[FL]";
  if (m.hasLineNumbers) bits += "[LN]";
  if (m.hasInlineFrames) bits += "[IN]";
  return `${m.id}: ${hex(m.start)}/${hex(m.limit)}/${hex(m.offset)} ${m.file} ${m.buildId} ${bits}`;
}

function locationString(l: Location): string {
  const ss: string[] = [];
  let locStr = `${String(l.id).padStart(6)}: ${hex(l.address)} `;
  if (l.mapping) locStr += `M=${l.mapping.id} `;
  if (l.isFolded) locStr += "[F] ";
  if (l.line.length === 0) ss.push(locStr);
  for (const ln of l.line) {
    let s = "??";
    const fn = ln.function;
    if (fn) {
      s = `${fn.name} ${fn.filename}:${ln.line} s=${fn.startLine}`;
      if (fn.name !== fn.systemName) s += "(" + fn.systemName + ")";
    }
    ss.push(locStr + s);
    locStr = "             ";
  }
  return ss.join("\n");
}

function sampleString(s: Sample): string {
  let sv = "";
  for (const v of s.value) sv += " " + String(v).padStart(10);
  sv += ": ";
  for (const l of s.location) sv += `${l.id} `;
  const ss = [sv];
  const header = "                ";
  const keys = Object.keys(s.label);
  if (keys.length > 0) {
    const ls = keys.map((k) => `${k}:[${s.label[k]!.join(" ")}]`).sort();
    ss.push(header + ls.join(" "));
  }
  const nkeys = Object.keys(s.numLabel);
  if (nkeys.length > 0) {
    const ls = nkeys.map((k) => {
      const v = s.numLabel[k]!;
      const units = s.numUnit[k] ?? [];
      if (units.length === v.length) return `${k}:[${v.map((x, i) => `${x} ${units[i]}`).join(" ")}]`;
      return `${k}:[${v.join(" ")}]`;
    }).sort();
    ss.push(header + ls.join(" "));
  }
  return ss.join("\n");
}
