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
interface RawLine { functionId: number; line: number; column: number }
interface RawLocation { id: number; mappingId: number; address: bigint; lines: RawLine[]; isFolded: boolean }
interface RawFunction { id: number; name: number; systemName: number; filename: number; startLine: number }
interface RawMapping {
  id: number; start: bigint; limit: bigint; offset: bigint; file: number; buildId: number;
  hasFunctions: boolean; hasFilenames: boolean; hasLineNumbers: boolean; hasInlineFrames: boolean;
}

/**
 * Every sample's fields in flat arrays (a large profile has hundreds of
 * thousands of samples: one object each here would double the garbage):
 * sample i has values[valStart[i] .. valStart[i+1]), and so on. Its location
 * ids, the bulk of the profile, are not copied: they are read again from the
 * bytes at bodyStart[i] .. bodyEnd[i] once the locations are known.
 */
class RawSamples {
  count = 0;
  readonly bodyStart: number[] = [];
  readonly bodyEnd: number[] = [];
  readonly valStart: number[] = [0];
  readonly labStart: number[] = [0];
  readonly values: number[] = [];
  /** Per label: key, str, num and num_unit string indices / value. */
  readonly labKey: number[] = [];
  readonly labStr: number[] = [];
  readonly labNum: number[] = [];
  readonly labUnit: number[] = [];
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
  const outer = r.enter();
  const vt: RawValueType = { type: 0, unit: 0 };
  while (r.pos < r.end) {
    const key = r.varint();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 0) vt.type = r.varint();
    else if (field === 2 && (key & 7) === 0) vt.unit = r.varint();
    else r.skip(key & 7);
  }
  r.leave(outer);
  return vt;
}

function decodeMessage(buf: Uint8Array): ProfileData {
  const r = new ProtoReader(buf);
  const strings: string[] = [];
  const textDecoder = new TextDecoder("utf-8");
  const sampleTypes: RawValueType[] = [];
  const samples = new RawSamples();
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
      case 2: readSample(r, samples); break;
      case 3: mappings.push(readMapping(r)); break;
      case 4: locations.push(readLocation(r)); break;
      case 5: functions.push(readFunction(r)); break;
      case 6: {
        const [start, end] = r.lengthDelimited();
        strings.push(decodeString(textDecoder, buf, start, end));
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

  const functionById = new IdIndex<ProfileFunction>(functions);
  for (const f of functions) {
    if (f.id === 0) throw new ProfileParseError("found function with reserved ID=0");
    if (functionById.has(f.id)) throw new ProfileParseError(`multiple functions with same id: ${f.id}`);
    const fn: ProfileFunction = { id: f.id, name: str(f.name), systemName: str(f.systemName), filename: str(f.filename), startLine: f.startLine };
    functionById.set(f.id, fn);
    p.function.push(fn);
  }

  const locationById = new IdIndex<Location>(locations);
  for (const l of locations) {
    if (l.id === 0) throw new ProfileParseError("found location with reserved id=0");
    if (locationById.has(l.id)) throw new ProfileParseError(`multiple locations with same id: ${l.id}`);
    const lines: Line[] = [];
    for (const line of l.lines) {
      const fn = functionById.get(line.functionId);
      if (!fn) throw new ProfileParseError(`location id: ${l.id} has a line with nil function`);
      lines.push({ function: fn, line: line.line, column: line.column });
    }
    const loc: Location = { id: l.id, mapping: mappingById.get(l.mappingId), address: l.address, line: lines, isFolded: l.isFolded };
    locationById.set(l.id, loc);
    p.location.push(loc);
  }

  if (samples.count > 0 && p.sampleType.length === 0) throw new ProfileParseError("missing sample type information");
  p.sample = buildSamples(r, samples, p.sampleType.length, locationById, str);
  return p;
}

/** Strings of the string table: short ASCII ones (nearly all) without TextDecoder's per-call cost. */
function decodeString(decoder: { decode(input: Uint8Array): string }, buf: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return decoder.decode(buf.subarray(start, end));
  let s = "";
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return decoder.decode(buf.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

/** id → object: an array when the ids are small integers (as every writer makes them), else a Map. */
class IdIndex<T> {
  private readonly dense: (T | undefined)[] | undefined;
  private readonly sparse: Map<number, T> | undefined;

  constructor(items: readonly { id: number }[]) {
    let max = 0;
    let dense = true;
    for (const it of items) {
      if (!Number.isInteger(it.id) || it.id < 0) { dense = false; break; }
      if (it.id > max) max = it.id;
    }
    if (dense && max <= 4 * items.length + 1024) {
      this.dense = new Array<T | undefined>(max + 1).fill(undefined);
    } else {
      this.sparse = new Map();
    }
  }

  get(id: number): T | undefined {
    if (this.dense) return Number.isInteger(id) && id >= 0 ? this.dense[id] : undefined;
    return this.sparse!.get(id);
  }

  /** The index as an array by id, when dense. */
  array(): readonly (T | undefined)[] | undefined {
    return this.dense;
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, value: T): void {
    if (this.dense) this.dense[id] = value;
    else this.sparse!.set(id, value);
  }
}

function buildSamples(r: ProtoReader, raw: RawSamples, nTypes: number, locationById: IdIndex<Location>, str: (i: number) => string): Sample[] {
  const { bodyStart, bodyEnd, valStart, labStart, values, labKey, labStr, labNum, labUnit } = raw;
  const out: Sample[] = new Array<Sample>(raw.count);
  // Gathered here, then copied to an array of the exact size: large profiles hold millions of these references.
  // (Kept at its largest size: emptying an array frees its storage, and regrowing it costs.)
  const stack: Location[] = [];
  const dense = locationById.array();
  for (let i = 0; i < raw.count; i++) {
    // The first pass checked these bytes: here they only give the location ids.
    let depth = 0;
    let missing = false;
    r.pos = bodyStart[i]!;
    r.end = bodyEnd[i]!;
    while (r.pos < r.end) {
      const key = r.varint();
      const wire = key & 7;
      const field = key >>> 3;
      if (field !== 1) {
        // Stepped over as the first pass read them (whatever their wire type says).
        if (field === 2) skipRepeatedInt(r, wire);
        else if (field === 3) r.leave(r.enter());
        else r.skip(wire);
        continue;
      }
      // Varints are integers: a dense index needs no other check (a negative or huge id reads undefined).
      if (wire === 2) {
        const outer = r.enter();
        while (r.pos < r.end) {
          const id = r.varint();
          const loc = dense ? dense[id] : locationById.get(id);
          if (loc) stack[depth++] = loc;
          else missing = true;
        }
        r.leave(outer);
      } else {
        const id = r.varint();
        const loc = dense ? dense[id] : locationById.get(id);
        if (loc) stack[depth++] = loc;
        else missing = true;
      }
    }
    const v0 = valStart[i]!, v1 = valStart[i + 1]!;
    if (v1 - v0 !== nTypes) {
      throw new ProfileParseError(`mismatch: sample has ${v1 - v0} values vs. ${nTypes} types`);
    }
    if (missing) throw new ProfileParseError("sample has nil location");
    const sample: Sample = { location: stack.slice(0, depth), value: values.slice(v0, v1), label: {}, numLabel: {}, numUnit: {} };
    let units = false;
    for (let j = labStart[i]!, e = labStart[i + 1]!; j < e; j++) {
      const key = str(labKey[j]!);
      const s = labStr[j]!, num = labNum[j]!, unit = labUnit[j]!;
      if (s !== 0) {
        append(sample.label, key, str(s));
      } else {
        // A label with neither str nor num is a zero-valued numeric label.
        append(sample.numLabel, key, num);
        append(sample.numUnit, key, num !== 0 || unit !== 0 ? str(unit) : "");
        units = true;
      }
    }
    // Drop unit arrays that carry no unit, as google/pprof does.
    if (units) {
      for (const key in sample.numUnit) {
        if (sample.numUnit[key]!.every((u) => u === "")) delete sample.numUnit[key];
      }
    }
    out[i] = sample;
  }
  return out;
}

/** Appends to record[key], created at its exact size (most labels have one value). */
function append<T>(record: Record<string, T[]>, key: string, value: T): void {
  const values = record[key];
  if (values) values.push(value);
  else record[key] = [value];
}

/** First pass over a sample: checks its bytes, keeps its values and labels and where its body is. */
function readSample(r: ProtoReader, out: RawSamples): void {
  const outer = r.enter();
  out.bodyStart.push(r.pos);
  out.bodyEnd.push(r.end);
  while (r.pos < r.end) {
    const key = r.varint();
    const wire = key & 7;
    switch (key >>> 3) {
      case 1: skipRepeatedInt(r, wire); break;
      case 2: r.repeatedInt(wire, out.values); break;
      case 3: readLabel(r, out); break;
      default: r.skip(wire);
    }
  }
  r.leave(outer);
  out.count++;
  out.valStart.push(out.values.length);
  out.labStart.push(out.labKey.length);
}

/** ProtoReader.repeatedInt's checks, keeping nothing. */
function skipRepeatedInt(r: ProtoReader, wire: number): void {
  if (wire === 2) {
    const outer = r.enter();
    r.skipPackedVarints();
    r.leave(outer);
  } else if (wire === 0) {
    r.varint();
  } else {
    throw new ProtoDecodeError(`unexpected wire type ${wire} for a repeated integer`);
  }
}

function readLabel(r: ProtoReader, out: RawSamples): void {
  const outer = r.enter();
  let k = 0, s = 0, num = 0, numUnit = 0;
  while (r.pos < r.end) {
    const key = r.varint();
    switch (key >>> 3) {
      case 1: k = r.varint(); break;
      case 2: s = r.varint(); break;
      case 3: num = r.varint(); break;
      case 4: numUnit = r.varint(); break;
      default: r.skip(key & 7);
    }
  }
  r.leave(outer);
  out.labKey.push(k);
  out.labStr.push(s);
  out.labNum.push(num);
  out.labUnit.push(numUnit);
}

function readMapping(r: ProtoReader): RawMapping {
  const outer = r.enter();
  const mp: RawMapping = {
    id: 0, start: 0n, limit: 0n, offset: 0n, file: 0, buildId: 0,
    hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false,
  };
  while (r.pos < r.end) {
    const key = r.varint();
    switch (key >>> 3) {
      case 1: mp.id = r.varint(); break;
      case 2: mp.start = r.varintBig(); break;
      case 3: mp.limit = r.varintBig(); break;
      case 4: mp.offset = r.varintBig(); break;
      case 5: mp.file = r.varint(); break;
      case 6: mp.buildId = r.varint(); break;
      case 7: mp.hasFunctions = r.varint() !== 0; break;
      case 8: mp.hasFilenames = r.varint() !== 0; break;
      case 9: mp.hasLineNumbers = r.varint() !== 0; break;
      case 10: mp.hasInlineFrames = r.varint() !== 0; break;
      default: r.skip(key & 7);
    }
  }
  r.leave(outer);
  return mp;
}

function readLocation(r: ProtoReader): RawLocation {
  const outer = r.enter();
  const loc: RawLocation = { id: 0, mappingId: 0, address: 0n, lines: [], isFolded: false };
  while (r.pos < r.end) {
    const key = r.varint();
    switch (key >>> 3) {
      case 1: loc.id = r.varint(); break;
      case 2: loc.mappingId = r.varint(); break;
      case 3: loc.address = r.varintBig(); break;
      case 4: {
        const locEnd = r.enter();
        const line: RawLine = { functionId: 0, line: 0, column: 0 };
        while (r.pos < r.end) {
          const k = r.varint();
          switch (k >>> 3) {
            case 1: line.functionId = r.varint(); break;
            case 2: line.line = r.varint(); break;
            case 3: line.column = r.varint(); break;
            default: r.skip(k & 7);
          }
        }
        r.leave(locEnd);
        loc.lines.push(line);
        break;
      }
      case 5: loc.isFolded = r.varint() !== 0; break;
      default: r.skip(key & 7);
    }
  }
  r.leave(outer);
  return loc;
}

function readFunction(r: ProtoReader): RawFunction {
  const outer = r.enter();
  const f: RawFunction = { id: 0, name: 0, systemName: 0, filename: 0, startLine: 0 };
  while (r.pos < r.end) {
    const key = r.varint();
    switch (key >>> 3) {
      case 1: f.id = r.varint(); break;
      case 2: f.name = r.varint(); break;
      case 3: f.systemName = r.varint(); break;
      case 4: f.filename = r.varint(); break;
      case 5: f.startLine = r.varint(); break;
      default: r.skip(key & 7);
    }
  }
  r.leave(outer);
  return f;
}
