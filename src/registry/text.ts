// Go's legacy text forms (debug=1) of profiles.

import type { ProfileData } from "../profile/model.js";

/** `NAME profile: total N` then each distinct stack with its count. */
export function countProfileText(name: string, p: ProfileData): string {
  // Placeholder until the full writer (tabwriter alignment, `@` addresses) lands.
  let total = 0;
  for (const s of p.sample) total += s.value[0] ?? 0;
  let out = `${name} profile: total ${total}\n`;
  for (const s of p.sample) {
    out += `${s.value[0]} @${s.location.map((l) => " 0x" + l.address.toString(16)).join("")}\n`;
    for (const l of s.location) for (const line of l.line) out += `#\t0x${l.address.toString(16)}\t${line.function.name}+0x0\t${line.function.filename}:${line.line}\n`;
    out += "\n";
  }
  return out;
}
