// Merging and scaling profiles (google/pprof's profile.Merge and Scale):
// used for delta profiles, for joining the profiles of several processes,
// and by the analyzer to combine several sources.

import type { Location, Mapping, ProfileData, ProfileFunction, Sample, ValueType } from "./model.js";
import { emptyProfile } from "./model.js";

export class IncompatibleProfilesError extends Error {
  override name = "IncompatibleProfilesError";
}

function vtString(vt: ValueType | undefined): string {
  return vt ? `${vt.type} ${vt.unit}` : "";
}

/** Go: "incompatible period types" / "incompatible sample types" when the shapes differ. */
export function checkCompatible(a: ProfileData, b: ProfileData): void {
  if (a.periodType && b.periodType && vtString(a.periodType) !== vtString(b.periodType)) {
    throw new IncompatibleProfilesError(`incompatible period types ${vtString(a.periodType)} and ${vtString(b.periodType)}`);
  }
  const at = a.sampleType.map(vtString), bt = b.sampleType.map(vtString);
  if (at.length !== bt.length || at.some((t, i) => t !== bt[i])) {
    throw new IncompatibleProfilesError(`incompatible sample types [${at.join(" ")}] and [${bt.join(" ")}]`);
  }
}

function labelKey(s: Sample): string {
  let key = "";
  for (const k of Object.keys(s.label).sort()) key += `\0${k}=${s.label[k]!.slice().sort().join("\x01")}`;
  for (const k of Object.keys(s.numLabel).sort()) {
    key += `\0#${k}=${s.numLabel[k]!.join("\x01")}:${(s.numUnit[k] ?? []).join("\x01")}`;
  }
  return key;
}

/**
 * Merges profiles into a new one: samples with the same stack (by function,
 * file, line and address) and labels are added together; samples whose values
 * are all zero are dropped. Period is the largest, time the earliest and
 * duration the sum, as google/pprof merges.
 */
export function mergeProfiles(profiles: ProfileData[]): ProfileData {
  if (profiles.length === 0) throw new Error("no profiles to merge");
  const first = profiles[0]!;
  for (const p of profiles.slice(1)) checkCompatible(first, p);

  const out = emptyProfile();
  out.sampleType = first.sampleType.map((vt) => ({ ...vt }));
  out.defaultSampleType = first.defaultSampleType;
  out.periodType = first.periodType ? { ...first.periodType } : undefined;
  out.dropFrames = first.dropFrames;
  out.keepFrames = first.keepFrames;
  out.docUrl = first.docUrl;

  const mappings = new Map<string, Mapping>();
  const functions = new Map<string, ProfileFunction>();
  const locations = new Map<string, Location>();
  const samples = new Map<string, Sample>();
  const comments = new Set<string>();
  let timeNanos = 0n;
  let durationNanos = 0;

  for (const p of profiles) {
    out.period = Math.max(out.period, p.period);
    if (timeNanos === 0n || p.timeNanos < timeNanos) timeNanos = p.timeNanos;
    durationNanos += p.durationNanos;
    out.defaultSampleType ||= p.defaultSampleType;
    out.docUrl ||= p.docUrl;
    for (const c of p.comments) comments.add(c);

    // Only mappings some location uses are kept (as google/pprof's Merge),
    // plus the first one, which names the main binary.
    const mapOf = new Map<Mapping, Mapping>();
    const mapFor = (m: Mapping): Mapping => {
      const known = mapOf.get(m);
      if (known) return known;
      const key = mappingKey(m);
      let mm = mappings.get(key);
      if (!mm) {
        mm = { ...m, id: mappings.size + 1 };
        mappings.set(key, mm);
        out.mapping.push(mm);
      } else {
        mm.hasFunctions &&= m.hasFunctions;
        mm.hasFilenames &&= m.hasFilenames;
        mm.hasLineNumbers &&= m.hasLineNumbers;
        mm.hasInlineFrames &&= m.hasInlineFrames;
      }
      mapOf.set(m, mm);
      return mm;
    };
    if (out.mapping.length === 0 && p.mapping.length > 0) mapFor(p.mapping[0]!);
    const fnOf = new Map<ProfileFunction, ProfileFunction>();
    const fnFor = (f: ProfileFunction): ProfileFunction => {
      let r = fnOf.get(f);
      if (r) return r;
      const key = `${f.name}\0${f.systemName}\0${f.filename}\0${f.startLine}`;
      r = functions.get(key);
      if (!r) {
        r = { ...f, id: functions.size + 1 };
        functions.set(key, r);
        out.function.push(r);
      }
      fnOf.set(f, r);
      return r;
    };
    const locOf = new Map<Location, Location>();
    const locFor = (l: Location): Location => {
      let r = locOf.get(l);
      if (r) return r;
      const mapping = l.mapping ? mapFor(l.mapping) : undefined;
      // Moved into the merged mapping (which may start elsewhere), and keyed by
      // its offset in it, as google/pprof does.
      const address = l.mapping && mapping ? l.address + mapping.start - l.mapping.start : l.address;
      const lines = l.line.map((ln) => ({ function: fnFor(ln.function), line: ln.line, column: ln.column }));
      const key = `${mapping?.id ?? 0}\0${address - (mapping?.start ?? 0n)}\0${l.isFolded}\0${lines.map((ln) => `${ln.function.id}:${ln.line}:${ln.column}`).join(",")}`;
      r = locations.get(key);
      if (!r) {
        r = { id: locations.size + 1, mapping, address, line: lines, isFolded: l.isFolded };
        locations.set(key, r);
        out.location.push(r);
      }
      locOf.set(l, r);
      return r;
    };
    for (const s of p.sample) {
      // Zero samples are skipped before their locations are mapped, so they
      // take no location ids (google/pprof numbers locations the same way).
      if (s.value.every((v) => v === 0)) continue;
      const locs = s.location.map(locFor);
      const key = locs.map((l) => l.id).join(",") + labelKey(s);
      const existing = samples.get(key);
      if (existing) {
        for (let i = 0; i < existing.value.length; i++) existing.value[i]! += s.value[i]!;
      } else {
        const copy: Sample = {
          location: locs,
          value: s.value.slice(),
          label: cloneRecord(s.label),
          numLabel: cloneRecord(s.numLabel),
          numUnit: cloneRecord(s.numUnit),
        };
        samples.set(key, copy);
        out.sample.push(copy);
      }
    }
  }
  out.sample = out.sample.filter((s) => s.value.some((v) => v !== 0));
  out.comments = [...comments];
  out.timeNanos = timeNanos;
  out.durationNanos = durationNanos;
  return out;
}

/**
 * google/pprof's mapping key: the size rounded up to 4 KiB, the offset, and
 * the build id or else the file, so the same binary mapped at other addresses
 * (or, in tsprof's profiles, with another count of locations) is one mapping.
 */
function mappingKey(m: Mapping): string {
  const size = m.limit - m.start + 0xfffn;
  return `${size - (size % 0x1000n)}\0${m.offset}\0${m.buildId !== "" ? m.buildId : m.file}`;
}

function cloneRecord<T>(r: Record<string, T[]>): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const k in r) out[k] = r[k]!.slice();
  return out;
}

/** Multiplies every sample value by `ratio` (rounded, as Go's int64 conversion truncates). */
export function scaleProfile(p: ProfileData, ratio: number): void {
  if (ratio === 1) return;
  for (const s of p.sample) {
    for (let i = 0; i < s.value.length; i++) s.value[i] = Math.trunc(s.value[i]! * ratio);
  }
}

/**
 * A copy whose locations match those of another collection of the same
 * program: tsprof's addresses and mapping ranges are numbered per profile,
 * so they are cleared and the locations compared by function, file and line.
 */
export function comparableCopy(p: ProfileData): ProfileData {
  const copy = mergeProfiles([p]);
  for (const m of copy.mapping) {
    m.start = 0n;
    m.limit = 0n;
    m.offset = 0n;
  }
  for (const loc of copy.location) loc.address = 0n;
  return copy;
}

/**
 * Gives a merged copy of comparableCopy's profiles addresses again: tsprof's
 * are per-profile placeholders, one per location, inside its one mapping.
 */
export function numberAddresses(p: ProfileData): void {
  for (const loc of p.location) loc.address = BigInt(loc.id);
  for (const m of p.mapping) m.limit = BigInt(p.location.length + 1);
}
