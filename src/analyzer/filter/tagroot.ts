// -tagroot/-tagleaf: label values as pseudo frames at the root or the leaf of
// every stack (google/pprof's addLabelNodes), so the graph and the top table
// can split by label. A frame's function is the sample's values for the key
// (joined by ","), its file is the key; samples without the key get "".

import type { Location, ProfileData, Sample } from "../../profile/model.js";
import { scaledLabel } from "../measurement.js";

function labelValues(s: Sample, key: string, outputUnit: string): string[] {
  const values = [...(s.label[key] ?? [])];
  const nums = s.numLabel[key] ?? [];
  const units = s.numUnit[key] ?? [];
  if (nums.length !== units.length && units.length !== 0) return values;
  nums.forEach((n, i) => values.push(units.length !== 0 ? scaledLabel(n, units[i]!, outputUnit) : scaledLabel(n, "", "")));
  return values;
}

/** Adds the pseudo frames; returns whether any sample had a root key and a leaf key. */
export function addLabelNodes(p: ProfileData, rootKeys: string[], leafKeys: string[], outputUnit: string): { root: boolean; leaf: boolean } {
  let nextLoc = Math.max(0, ...p.location.map((l) => l.id)) + 1;
  let nextFn = Math.max(0, ...p.function.map((f) => f.id)) + 1;
  const locs = new Map<string, Location>();
  const intern = (name: string, file: string): Location => {
    const k = `${name}\0${file}`;
    let loc = locs.get(k);
    if (!loc) {
      const fn = { id: nextFn++, name, systemName: "", filename: file, startLine: 0 };
      p.function.push(fn);
      loc = { id: nextLoc++, mapping: undefined, address: 0n, line: [{ function: fn, line: 0, column: 0 }], isFolded: false };
      p.location.push(loc);
      locs.set(k, loc);
    }
    return loc;
  };
  const labelLocs = (s: Sample, keys: string[]): [Location[], boolean] => {
    const out: Location[] = [];
    let match = false;
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      const values = labelValues(s, k, outputUnit);
      if (values.length > 0) match = true;
      out.push(intern(values.join(","), k));
    }
    return [out, match];
  };
  let root = false;
  let leaf = false;
  for (const s of p.sample) {
    const [roots, rm] = labelLocs(s, rootKeys);
    const [leaves, lm] = labelLocs(s, leafKeys);
    root ||= rm;
    leaf ||= lm;
    s.location = [...leaves, ...s.location, ...roots];
  }
  return { root, leaf };
}

/** Applies cfg.tagRoot / cfg.tagLeaf (comma-separated label keys). */
export function generateTagRootsLeaves(p: ProfileData, tagRoot: string, tagLeaf: string, unit: string, warn: (m: string) => void): void {
  if (tagRoot === "" && tagLeaf === "") return;
  const keys = (s: string) => s.split(",").filter((k) => k !== "");
  const m = addLabelNodes(p, keys(tagRoot), keys(tagLeaf), unit);
  if (tagRoot !== "" && !m.root) warn("TagRoot expression matched no samples");
  if (tagLeaf !== "" && !m.leaf) warn("TagLeaf expression matched no samples");
}
