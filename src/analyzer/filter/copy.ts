// A copy of a profile for the filters, which edit in place what they keep
// (the sample list, each sample's stack and labels, each location's lines, and
// the location and function lists -tagroot adds to). Cheaper than a merge: no
// keys are built and nothing is joined, so filtering a large profile again on
// each web UI page with new options stays quick. Functions and mappings are
// shared: no filter changes them.

import type { Location, ProfileData, Sample } from "../../profile/model.js";

export function copyForFilters(p: ProfileData): ProfileData {
  // Copies found by id in an array (ids are small and unique in decoded and
  // merged profiles); a Map for any other location a sample refers to.
  const original: (Location | undefined)[] = [];
  const copies: (Location | undefined)[] = [];
  const others = new Map<Location, Location>();
  const copyOf = (l: Location): Location => ({ id: l.id, mapping: l.mapping, address: l.address, line: l.line.slice(), isFolded: l.isFolded });
  const location = p.location.map((l) => {
    const copy = copyOf(l);
    if (Number.isInteger(l.id) && l.id > 0 && l.id < 4 * p.location.length + 1024 && original[l.id] === undefined) {
      original[l.id] = l;
      copies[l.id] = copy;
    } else {
      others.set(l, copy);
    }
    return copy;
  });
  const locFor = (l: Location): Location => {
    if (original[l.id] === l) return copies[l.id]!;
    let c = others.get(l);
    if (!c) {
      // A location the profile's list lacks (a hand-built profile): copied all the same.
      c = copyOf(l);
      others.set(l, c);
    }
    return c;
  };
  const sample = p.sample.map((s): Sample => {
    const stack = s.location.slice();
    for (let i = 0; i < stack.length; i++) stack[i] = locFor(stack[i]!);
    return { location: stack, value: s.value.slice(), label: cloneRecord(s.label), numLabel: cloneRecord(s.numLabel), numUnit: cloneRecord(s.numUnit) };
  });
  return {
    ...p,
    sampleType: p.sampleType.map((vt) => ({ ...vt })),
    periodType: p.periodType ? { ...p.periodType } : undefined,
    sample,
    location,
    function: p.function.slice(),
    mapping: p.mapping.slice(),
    comments: p.comments.slice(),
  };
}

function cloneRecord<T>(r: Record<string, T[]>): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const k in r) out[k] = r[k]!.slice();
  return out;
}
