// profile.proto bytes (gzipped or not) → ProfileData, with the checks
// google/pprof's parser makes, and its error messages.

import { gunzipSync } from "node:zlib";
import type { Line, Location, Mapping, ProfileData, ProfileFunction, Sample, ValueType } from "./model.js";
import { emptyProfile } from "./model.js";
import { ProtoDecodeError, ProtoReader } from "./protobuf.js";

export class ProfileParseError extends Error {
  override name = "ProfileParseError";
}

interface RawValueType { type: number; unit: number }
interface RawLabel { key: number; str: number; num: number; numUnit: number }
interface RawSample { locationIds: number[]; values: number[]; labels: RawLabel[] }
interface RawLine { functionId: number; line: number; column: number }
interface RawLocation { id: number; mappingId: number; address: bigint; lines: RawLine[]; isFolded: boolean }
interface RawFunction { id: number; name: number; systemName: number; filename: number; startLine: number }
interface RawMapping {
  id: number; start: bigint; limit: bigint; offset: bigint; file: number; buildId: number;
  hasFunctions: boolean; hasFilenames: boolean; hasLineNumbers: boolean; hasInlineFrames: boolean;
}

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** Parses a profile.proto message, gunzipping it first when needed. */
export function decodeProfile(data: Uint8Array): ProfileData {
  if (data.length === 0) throw new ProfileParseError("empty input file");
  if (isGzip(data)) {
    try {
      data = gunzipSync(data);
    } catch (err) {
      throw new ProfileParseError(`decompressing profile: ${(err as Error).message}`);
    }
  }
  try {
    return decodeMessage(data);
  } catch (err) {
    if (err instanceof ProtoDecodeError || err instanceof RangeError) {
      throw new ProfileParseError(`parsing profile: ${err.message}`);
    }
    throw err;
  }
}

function readValueType(r: ProtoReader): RawValueType {
  const [start, end] = r.lengthDelimited();
  const m = new ProtoReader(r.buf, start, end);
  const vt: RawValueType = { type: 0, unit: 0 };
  while (!m.done()) {
    const key = m.varint();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 0) vt.type = m.varint();
    else if (field === 2 && (key & 7) === 0) vt.unit = m.varint();
    else m.skip(key & 7);
  }
  return vt;
}

function decodeMessage(buf: Uint8Array): ProfileData {
  const r = new ProtoReader(buf);
  const strings: string[] = [];
  const textDecoder = new TextDecoder("utf-8");
  const sampleTypes: RawValueType[] = [];
  const samples: RawSample[] = [];
  const mappings: RawMapping[] = [];
  const locations: RawLocation[] = [];
  const functions: RawFunction[] = [];
  const comments: number[] = [];
  let periodType: RawValueType | undefined;
  let dropFrames = 0, keepFrames = 0, defaultSampleType = 0, docUrl = 0;
  let timeNanos = 0n, durationNanos = 0, period = 0;
  let sawTime = false;

  while (!r.done()) {
    const key = r.varint();
    const field = key >>> 3;
    const wire = key & 7;
    switch (field) {
      case 1: sampleTypes.push(readValueType(r)); break;
      case 2: samples.push(readSample(r)); break;
      case 3: mappings.push(readMapping(r)); break;
      case 4: locations.push(readLocation(r)); break;
      case 5: functions.push(readFunction(r)); break;
      case 6: {
        const [start, end] = r.lengthDelimited();
        strings.push(textDecoder.decode(buf.subarray(start, end)));
        break;
      }
      case 7: dropFrames = r.varint(); break;
      case 8: keepFrames = r.varint(); break;
      case 9:
        if (sawTime) throw new ProfileParseError("concatenated profiles detected");
        sawTime = true;
        timeNanos = BigInt.asIntN(64, r.varintBig());
        break;
      case 10: durationNanos = r.varint(); break;
      case 11: periodType = readValueType(r); break;
      case 12: period = r.varint(); break;
      case 13: r.repeatedInt(wire, comments); break;
      case 14: defaultSampleType = r.varint(); break;
      case 15: docUrl = r.varint(); break;
      default: r.skip(wire);
    }
  }

  if (strings.length === 0 || strings[0] !== "") throw new ProfileParseError("string_table[0] must be ''");
  const str = (i: number): string => {
    const s = strings[i];
    if (s === undefined || i < 0) throw new ProfileParseError("malformed profile format");
    return s;
  };
  const vt = (raw: RawValueType): ValueType => ({ type: str(raw.type), unit: str(raw.unit) });

  const p = emptyProfile();
  p.sampleType = sampleTypes.map(vt);
  p.periodType = periodType ? vt(periodType) : undefined;
  p.period = period;
  p.timeNanos = timeNanos;
  p.durationNanos = durationNanos;
  p.dropFrames = str(dropFrames);
  p.keepFrames = str(keepFrames);
  p.defaultSampleType = str(defaultSampleType);
  p.docUrl = str(docUrl);
  p.comments = comments.map(str);

  const mappingById = new Map<number, Mapping>();
  for (const m of mappings) {
    if (m.id === 0) throw new ProfileParseError("found mapping with reserved ID=0");
    if (mappingById.has(m.id)) throw new ProfileParseError(`multiple mappings with same id: ${m.id}`);
    const mapping: Mapping = {
      id: m.id, start: m.start, limit: m.limit, offset: m.offset, file: str(m.file), buildId: str(m.buildId),
      hasFunctions: m.hasFunctions, hasFilenames: m.hasFilenames, hasLineNumbers: m.hasLineNumbers, hasInlineFrames: m.hasInlineFrames,
    };
    mappingById.set(m.id, mapping);
    p.mapping.push(mapping);
  }

  const functionById = new Map<number, ProfileFunction>();
  for (const f of functions) {
    if (f.id === 0) throw new ProfileParseError("found function with reserved ID=0");
    if (functionById.has(f.id)) throw new ProfileParseError(`multiple functions with same id: ${f.id}`);
    const fn: ProfileFunction = { id: f.id, name: str(f.name), systemName: str(f.systemName), filename: str(f.filename), startLine: f.startLine };
    functionById.set(f.id, fn);
    p.function.push(fn);
  }

  const locationById = new Map<number, Location>();
  for (const l of locations) {
    if (l.id === 0) throw new ProfileParseError("found location with reserved id=0");
    if (locationById.has(l.id)) throw new ProfileParseError(`multiple locations with same id: ${l.id}`);
    const lines: Line[] = l.lines.map((line) => {
      const fn = functionById.get(line.functionId);
      if (!fn) throw new ProfileParseError(`location id: ${l.id} has a line with nil function`);
      return { function: fn, line: line.line, column: line.column };
    });
    const loc: Location = { id: l.id, mapping: mappingById.get(l.mappingId), address: l.address, line: lines, isFolded: l.isFolded };
    locationById.set(l.id, loc);
    p.location.push(loc);
  }

  if (samples.length > 0 && p.sampleType.length === 0) throw new ProfileParseError("missing sample type information");
  const nTypes = p.sampleType.length;
  p.sample = samples.map((s): Sample => {
    if (s.values.length !== nTypes) {
      throw new ProfileParseError(`mismatch: sample has ${s.values.length} values vs. ${nTypes} types`);
    }
    const location = s.locationIds.map((id) => {
      const loc = locationById.get(id);
      if (!loc) throw new ProfileParseError("sample has nil location");
      return loc;
    });
    const sample: Sample = { location, value: s.values, label: {}, numLabel: {}, numUnit: {} };
    for (const l of s.labels) {
      const key = str(l.key);
      if (l.str !== 0) {
        (sample.label[key] ??= []).push(str(l.str));
      } else if (l.num !== 0 || l.numUnit !== 0) {
        (sample.numLabel[key] ??= []).push(l.num);
        (sample.numUnit[key] ??= []).push(str(l.numUnit));
      } else {
        // A label with neither str nor num: a zero-valued numeric label.
        (sample.numLabel[key] ??= []).push(0);
        (sample.numUnit[key] ??= []).push("");
      }
    }
    // Drop unit arrays that carry no unit, as google/pprof does.
    for (const key in sample.numUnit) {
      if (sample.numUnit[key]!.every((u) => u === "")) delete sample.numUnit[key];
    }
    return sample;
  });
  return p;
}

function readSample(r: ProtoReader): RawSample {
  const [start, end] = r.lengthDelimited();
  const m = new ProtoReader(r.buf, start, end);
  const s: RawSample = { locationIds: [], values: [], labels: [] };
  while (!m.done()) {
    const key = m.varint();
    const wire = key & 7;
    switch (key >>> 3) {
      case 1: m.repeatedInt(wire, s.locationIds); break;
      case 2: m.repeatedInt(wire, s.values); break;
      case 3: s.labels.push(readLabel(m)); break;
      default: m.skip(wire);
    }
  }
  return s;
}

function readLabel(r: ProtoReader): RawLabel {
  const [start, end] = r.lengthDelimited();
  const m = new ProtoReader(r.buf, start, end);
  const l: RawLabel = { key: 0, str: 0, num: 0, numUnit: 0 };
  while (!m.done()) {
    const key = m.varint();
    switch (key >>> 3) {
      case 1: l.key = m.varint(); break;
      case 2: l.str = m.varint(); break;
      case 3: l.num = m.varint(); break;
      case 4: l.numUnit = m.varint(); break;
      default: m.skip(key & 7);
    }
  }
  return l;
}

function readMapping(r: ProtoReader): RawMapping {
  const [start, end] = r.lengthDelimited();
  const m = new ProtoReader(r.buf, start, end);
  const mp: RawMapping = {
    id: 0, start: 0n, limit: 0n, offset: 0n, file: 0, buildId: 0,
    hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false,
  };
  while (!m.done()) {
    const key = m.varint();
    switch (key >>> 3) {
      case 1: mp.id = m.varint(); break;
      case 2: mp.start = m.varintBig(); break;
      case 3: mp.limit = m.varintBig(); break;
      case 4: mp.offset = m.varintBig(); break;
      case 5: mp.file = m.varint(); break;
      case 6: mp.buildId = m.varint(); break;
      case 7: mp.hasFunctions = m.varint() !== 0; break;
      case 8: mp.hasFilenames = m.varint() !== 0; break;
      case 9: mp.hasLineNumbers = m.varint() !== 0; break;
      case 10: mp.hasInlineFrames = m.varint() !== 0; break;
      default: m.skip(key & 7);
    }
  }
  return mp;
}

function readLocation(r: ProtoReader): RawLocation {
  const [start, end] = r.lengthDelimited();
  const m = new ProtoReader(r.buf, start, end);
  const loc: RawLocation = { id: 0, mappingId: 0, address: 0n, lines: [], isFolded: false };
  while (!m.done()) {
    const key = m.varint();
    switch (key >>> 3) {
      case 1: loc.id = m.varint(); break;
      case 2: loc.mappingId = m.varint(); break;
      case 3: loc.address = m.varintBig(); break;
      case 4: {
        const [ls, le] = m.lengthDelimited();
        const lr = new ProtoReader(m.buf, ls, le);
        const line: RawLine = { functionId: 0, line: 0, column: 0 };
        while (!lr.done()) {
          const k = lr.varint();
          switch (k >>> 3) {
            case 1: line.functionId = lr.varint(); break;
            case 2: line.line = lr.varint(); break;
            case 3: line.column = lr.varint(); break;
            default: lr.skip(k & 7);
          }
        }
        loc.lines.push(line);
        break;
      }
      case 5: loc.isFolded = m.varint() !== 0; break;
      default: m.skip(key & 7);
    }
  }
  return loc;
}

function readFunction(r: ProtoReader): RawFunction {
  const [start, end] = r.lengthDelimited();
  const m = new ProtoReader(r.buf, start, end);
  const f: RawFunction = { id: 0, name: 0, systemName: 0, filename: 0, startLine: 0 };
  while (!m.done()) {
    const key = m.varint();
    switch (key >>> 3) {
      case 1: f.id = m.varint(); break;
      case 2: f.name = m.varint(); break;
      case 3: f.systemName = m.varint(); break;
      case 4: f.filename = m.varint(); break;
      case 5: f.startLine = m.varint(); break;
      default: m.skip(key & 7);
    }
  }
  return f;
}
