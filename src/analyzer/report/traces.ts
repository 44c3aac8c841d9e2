// `traces`: every sample with its labels, value and stack, leaf first.

import { createNodes } from "../graph/build.js";
import { aggregationFor } from "../graph/nodeinfo.js";
import { label as measurementLabel } from "../measurement.js";
import { profileLabels } from "./labels.js";
import type { Report } from "./report.js";

const separator = "-----------+-------------------------------------------------------";

export function printTraces(rpt: Report): string {
  const o = rpt.options;
  const out: string[] = [profileLabels(rpt).join("\n") + "\n"];
  const { locationNodes } = createNodes(rpt.profile, {
    sampleValue: o.sampleValue,
    aggregation: aggregationFor(o.granularity, o.noInlines),
    collectTags: false,
  });
  for (const sample of rpt.profile.sample) {
    const frames: string[] = [];
    for (const loc of sample.location) {
      const nodes = locationNodes.get(loc).nodes;
      nodes.forEach((n, i) => {
        frames.push(n!.printableName() + (i !== nodes.length - 1 ? " (inline)" : ""));
      });
    }
    if (frames.length === 0) continue;
    out.push(separator + "\n");
    const labels = Object.keys(sample.label).map((k) => `${k.padStart(10)}:  ${sample.label[k]!.join(" ")}\n`);
    labels.sort();
    out.push(labels.join(""));
    const numLabels = Object.keys(sample.numLabel).map((k) => {
      const unit = o.numLabelUnits[k] ?? k;
      return `${k.padStart(10)}:  ${sample.numLabel[k]!.map((v) => measurementLabel(v, unit)).join(" ")}\n`;
    });
    numLabels.sort();
    out.push(numLabels.join(""));
    let v = o.sampleValue(sample.value);
    const d = o.sampleMeanDivisor ? o.sampleMeanDivisor(sample.value) : 0;
    if (d !== 0) v = Math.trunc(v / d);
    frames.forEach((f, i) => {
      out.push(`${(i === 0 ? rpt.formatValue(v) : "").padStart(10)}   ${f}\n`);
    });
  }
  out.push(separator + "\n");
  return out.join("");
}
