// `traces`: every sample with its labels, value and stack, leaf first.

import type { Location } from "../../profile/model.js";
import { createNodes } from "../graph/build.js";
import { aggregationFor } from "../graph/nodeinfo.js";
import { label as measurementLabel } from "../measurement.js";
import { profileLabels } from "./labels.js";
import type { Report } from "./report.js";

const separator = "-----------+-------------------------------------------------------";
const blankValue = " ".repeat(10);

export function printTraces(rpt: Report): string {
  return tracesParts(rpt).join("");
}

/**
 * The traces report in pieces (the header, then one per sample), for
 * writing out without joining: on a huge profile the whole report can
 * exceed the longest string V8 can hold.
 */
export function tracesParts(rpt: Report): string[] {
  const o = rpt.options;
  const out: string[] = [profileLabels(rpt).join("\n") + "\n"];
  const { locationNodes } = createNodes(rpt.profile, {
    sampleValue: o.sampleValue,
    aggregation: aggregationFor(o.granularity, o.noInlines, o.showColumns),
    collectTags: false,
  });
  // Each location's lines are formatted once: its innermost frame's name
  // (the first line of a sample carries the value) and the lines after it.
  const printed = new Map<Location, { first: string; rest: string; all: string }>();
  const linesOf = (loc: Location) => {
    let p = printed.get(loc);
    if (!p) {
      const nodes = locationNodes.get(loc).nodes;
      const names = nodes.map((n, i) => n!.printableName() + (i !== nodes.length - 1 ? " (inline)" : ""));
      const lines = names.map((name) => `${blankValue}   ${name}\n`);
      p = { first: names[0] ?? "", rest: lines.slice(1).join(""), all: lines.join("") };
      printed.set(loc, p);
    }
    return p;
  };
  for (const sample of rpt.profile.sample) {
    const locs = sample.location;
    if (locs.length === 0) continue;
    out.push(separator + "\n");
    const labelKeys = Object.keys(sample.label);
    if (labelKeys.length > 0) {
      const labels = labelKeys.map((k) => `${k.padStart(10)}:  ${sample.label[k]!.join(" ")}\n`);
      labels.sort();
      out.push(labels.join(""));
    }
    const numKeys = Object.keys(sample.numLabel);
    if (numKeys.length > 0) {
      const numLabels = numKeys.map((k) => {
        const unit = o.numLabelUnits[k] ?? k;
        return `${k.padStart(10)}:  ${sample.numLabel[k]!.map((v) => measurementLabel(v, unit)).join(" ")}\n`;
      });
      numLabels.sort();
      out.push(numLabels.join(""));
    }
    let v = o.sampleValue(sample.value);
    const d = o.sampleMeanDivisor ? o.sampleMeanDivisor(sample.value) : 0;
    if (d !== 0) v = Math.trunc(v / d);
    const leaf = linesOf(locs[0]!);
    let text = `${rpt.formatValue(v).padStart(10)}   ${leaf.first}\n${leaf.rest}`;
    for (let i = 1; i < locs.length; i++) text += linesOf(locs[i]!).all;
    out.push(text);
  }
  out.push(separator + "\n");
  return out;
}
