// `topproto`: the top table as a profile — one sample per node of the trimmed
// graph, with two values ("cum" and "flat", in the report's output unit), so
// that other tools can read the hottest functions without parsing text.

import { emptyProfile, newSample, type Location, type ProfileData, type ProfileFunction } from "../../profile/model.js";
import { scale } from "../measurement.js";
import type { Report } from "./report.js";

export function topProto(rpt: Report): ProfileData {
  const { graph: g } = rpt.trimmedGraph();
  rpt.selectOutputUnit(g);
  const o = rpt.options;
  const src = rpt.profile;
  const out = emptyProfile();
  out.sampleType = [{ type: "cum", unit: o.outputUnit }, { type: "flat", unit: o.outputUnit }];
  out.timeNanos = src.timeNanos;
  out.durationNanos = src.durationNanos;
  out.periodType = src.periodType;
  out.period = src.period;

  // One function per distinct name, system name, file and start line.
  const functions = new Map<string, ProfileFunction>();
  g.nodes.forEach((n, i) => {
    const info = n.info;
    const key = JSON.stringify([info.name, info.origName, info.file, info.startLine]);
    let fn = functions.get(key);
    if (fn === undefined) {
      fn = { id: functions.size + 1, name: info.name, systemName: info.origName, filename: info.file, startLine: info.startLine };
      functions.set(key, fn);
      out.function.push(fn);
    }
    const loc: Location = {
      id: i + 1, mapping: undefined, address: info.address, isFolded: false,
      line: [{ function: fn, line: info.lineno, column: 0 }],
    };
    out.location.push(loc);
    const [cum] = scale(n.cumValue(), o.sampleUnit, o.outputUnit);
    const [flat] = scale(n.flatValue(), o.sampleUnit, o.outputUnit);
    out.sample.push(newSample([loc], [Math.trunc(cum), Math.trunc(flat)]));
  });
  return out;
}
