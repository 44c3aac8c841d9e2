// `tags`: for each label key, the total and each value's share. Go 1.19
// gives each value's share of its key's total; with -tag_percentages, newer
// google/pprof's form: the key's total as a share of the profile's
// ("Total 1.20s of 1.50s (80.00%)") and each value's share of the profile.

import { sortTags } from "../graph/sort.js";
import type { Tag } from "../graph/types.js";
import { formatFixed, percentage, scale, scaledLabel } from "../measurement.js";
import type { Report } from "./report.js";
import { PPROF_TAGS, tabwrite } from "../../util/tabwriter.js";

export function printTags(rpt: Report): string {
  const o = rpt.options;
  const tagMap = new Map<string, Map<string, number>>();
  const add = (key: string, val: string, v: number) => {
    let m = tagMap.get(key);
    if (!m) tagMap.set(key, (m = new Map()));
    m.set(val, (m.get(val) ?? 0) + v);
  };
  for (const s of rpt.profile.sample) {
    const v = o.sampleValue(s.value);
    for (const key of Object.keys(s.label)) for (const val of s.label[key]!) add(key, val, v);
    for (const key of Object.keys(s.numLabel)) {
      const unit = o.numLabelUnits[key] ?? "";
      for (const nval of s.numLabel[key]!) add(key, scaledLabel(nval, unit, o.outputUnit), v);
    }
  }
  const keys = sortTags([...tagMap.keys()].map((name) => tag(name, 0)), true);
  let text = "";
  for (const k of keys) {
    const values = tagMap.get(k.name)!;
    let total = 0;
    const tags: Tag[] = [];
    for (const [name, c] of values) {
      total += c;
      tags.push(tag(name, c));
    }
    if (o.tagPercentages) {
      text += ofProfile(rpt, k.name, total, sortTags(tags, true));
      continue;
    }
    const [f, u] = scale(total, o.sampleUnit, o.outputUnit);
    text += `${k.name}:\t Total ${formatFixed(f, 1)}${u}\n`;
    for (const t of sortTags(tags, true)) {
      const [tf, tu] = scale(t.flat, o.sampleUnit, o.outputUnit);
      if (total > 0) text += ` \t${formatFixed(tf, 1)}${tu} (${percentage(t.flat, total)}):\t ${t.name}\n`;
      else text += ` \t${formatFixed(tf, 1)}${tu}:\t ${t.name}\n`;
    }
    text += "\n";
  }
  return tabwrite(text, PPROF_TAGS);
}

/** One key in newer google/pprof's form: shares of the whole profile. */
function ofProfile(rpt: Report, key: string, keyTotal: number, tags: Tag[]): string {
  const profileTotal = rpt.total;
  const share = (v: number) => (profileTotal > 0 ? ` (${percentage(v, profileTotal)})` : "");
  let text = `${key}:\t Total ${rpt.formatValue(keyTotal)} of ${rpt.formatValue(profileTotal)}${share(keyTotal)}\n`;
  for (const t of tags) text += ` \t${rpt.formatValue(t.flat)}${share(t.flat)}:\t ${t.name}\n`;
  return text + "\n";
}

function tag(name: string, flat: number): Tag {
  return { name, unit: "", value: 0, flat, flatDiv: 0, cum: 0, cumDiv: 0 };
}
