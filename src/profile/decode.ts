// profile.proto bytes (gzipped or not) → ProfileData, with the checks
// google/pprof's parser makes, and its error messages.

import { gunzipSync } from "node:zlib";
import type { Line, Location, Mapping, ProfileData, ProfileFunction, Sample, ValueType } from "./model.js";
import { emptyProfile } from "./model.js";
import { ProtoDecodeError, ProtoReader } from "./protobuf.js";
import { checkLimit, decodeLimits, limitError } from "./decode-limits.js";

export class ProfileParseError extends Error {
  override name = "ProfileParseError";
}

interface RawValueType { type: number; unit: number }
interface RawFunction { id: number; name: number; systemName: number; filename: number; startLine: number }
interface RawMapping {
  id: number; start: bigint; limit: bigint; offset: bigint; file: number; buildId: number;
  hasFunctions: boolean; hasFilenames: boolean; hasLineNumbers: boolean; hasInlineFrames: boolean;
}

/** A growable typed array: columns of numbers outside the garbage collector's reach. */
class Column<T extends Int32Array | Float64Array> {
  data: T;
  length = 0;

  constructor(private readonly type: { new (n: number): T }) {
    this.data = new type(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new this.type(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

/** A string table index kept in an int32 column: one that cannot be valid becomes -1 (an error when looked up). */
function stringIndex(i: number): number {
  return i >= 0 && i <= 0x7fffffff ? i : -1;
}

/** ProtoReader.repeatedInt, into a column. */
function readValues(r: ProtoReader, wire: number, out: Column<Float64Array>): void {
  if (wire === 2) {
    const outer = r.enter();
    while (r.pos < r.end) out.push(r.varint());
    r.leave(outer);
  } else if (wire === 0) {
    out.push(r.varint());
  } else {
    throw new ProtoDecodeError(`unexpected wire type ${wire} for a repeated integer`);
  }
}

/**
 * Every sample's fields in flat arrays (a large profile has hundreds of
 * thousands of samples: one object each here would double the garbage):
 * sample i has values[valStart[i] .. valStart[i+1]), location ids
 * ids[idStart[i] .. idStart[i+1]), and so on. Ids are kept in a typed array
 * (the bulk of the profile, outside the garbage collector's reach); one that
 * does not fit an int32 is stored as -1, its value in `wideIds`.
 */
class RawSamples {
  count = 0;
  readonly idStart = new Column(Int32Array);
  ids: Int32Array;
  nIds = 0;
  readonly wideIds = new Map<number, number>();
  /** Smallest and largest id stored in `ids` (the others are in wideIds). */
  minId = 0x7fffffff;
  maxId = 0;
  readonly valStart = new Column(Int32Array);
  readonly labStart = new Column(Int32Array);
  readonly values = new Column(Float64Array);
  /** Per label: key, str and num_unit string indices (-1 for one beyond int32), and num. */
  readonly labKey = new Column(Int32Array);
  readonly labStr = new Column(Int32Array);
  readonly labNum = new Column(Float64Array);
  readonly labUnit = new Column(Int32Array);

  /**
   * Room for as many ids as the message has bytes (each takes one at least; up to the cap): the
   * memory is only used as ids fill it, and the column never has to be copied to grow.
   */
  constructor(messageBytes: number) {
    this.ids = new Int32Array(Math.min(Math.max(messageBytes, 1024), decodeLimits.locationIds));
    this.idStart.push(0);
    this.valStart.push(0);
    this.labStart.push(0);
  }

  /** Room for `n` more ids. */
  reserve(n: number): void {
    if (this.nIds + n <= this.ids.length) return;
    const grown = new Int32Array(Math.max(this.ids.length * 2, this.nIds + n));
    grown.set(this.ids.subarray(0, this.nIds));
    this.ids = grown;
  }

  pushId(id: number): void {
    this.reserve(1);
    if (id >= 0 && id <= 0x7fffffff) {
      if (id < this.minId) this.minId = id;
      if (id > this.maxId) this.maxId = id;
      this.ids[this.nIds++] = id;
    } else {
      this.wideIds.set(this.nIds, id);
      this.ids[this.nIds++] = -1;
    }
  }

  endSample(): void {
    this.count++;
    this.idStart.push(this.nIds);
    this.valStart.push(this.values.length);
    this.labStart.push(this.labKey.length);
  }
}

/**
 * The samples of a profile just decoded, in columns, before their Sample
 * objects are made: the objects of a large profile cost more than the rest
 * of the decoding, so `profile.sample` makes them on first use, and code that
 * only sums values along stacks (the flame graph) can read these instead.
 * Gone (undefined) once `sample` has been read or assigned.
 */
export interface DecodedSamples {
  readonly count: number;
  /** Values of sample i: values[i * valuesPerSample + sampleIndex]. */
  readonly valuesPerSample: number;
  readonly values: Float64Array;
  /** Location ids of sample i, leaf first: ids[start[i] .. start[i + 1]); -1 for an id beyond int32 (see locationAt). */
  readonly start: Int32Array;
  readonly ids: Int32Array;
  /** The location of ids[k]. */
  locationAt(k: number): Location;
  /** Samples whose values are all zero. */
  readonly zeroSamples: number;
  /** Labels (string and numeric) over all samples: 0 means no sample has any. */
  readonly labelCount: number;
  /** Numeric labels over all samples. */
  readonly numericLabelCount: number;
  /** The distinct keys of all labels. */
  readonly labelKeys: ReadonlySet<string>;
}

const pendingSamples = new WeakMap<ProfileData, DecodedSamples>();

/** The columns of a decoded profile's samples while `profile.sample` has not been used yet; otherwise undefined. */
export function decodedSamples(profile: ProfileData): DecodedSamples | undefined {
  return pendingSamples.get(profile);
}

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** Parses a profile.proto message, gunzipping it first when needed. */
export function decodeProfile(data: Uint8Array): ProfileData {
  if (data.length === 0) throw new ProfileParseError("empty input file");
  if (isGzip(data)) {
    try {
      data = gunzipSync(data, { maxOutputLength: decodeLimits.inflatedBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new ProfileParseError(`decompressing profile: ${limitError("inflatedBytes").message}`);
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
  const samples = new RawSamples(buf.length);
  const mappings: RawMapping[] = [];
  const locations = new RawLocations();
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
      case 1:
        sampleTypes.push(readValueType(r));
        checkLimit("sampleTypes", sampleTypes.length);
        break;
      case 2: readSample(r, samples); break;
      case 3:
        mappings.push(readMapping(r));
        checkLimit("mappings", mappings.length);
        break;
      case 4: readLocation(r, locations); break;
      case 5:
        functions.push(readFunction(r));
        checkLimit("functions", functions.length);
        break;
      case 6: {
        const [start, end] = r.lengthDelimited();
        checkLimit("stringBytes", end - start);
        strings.push(decodeString(textDecoder, buf, start, end));
        checkLimit("strings", strings.length);
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
      case 13:
        r.repeatedInt(wire, comments);
        checkLimit("comments", comments.length);
        break;
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

  const functionById = new IdIndex<ProfileFunction>(functions.map((f) => f.id));
  for (const f of functions) {
    if (f.id === 0) throw new ProfileParseError("found function with reserved ID=0");
    if (functionById.has(f.id)) throw new ProfileParseError(`multiple functions with same id: ${f.id}`);
    const fn: ProfileFunction = { id: f.id, name: str(f.name), systemName: str(f.systemName), filename: str(f.filename), startLine: f.startLine };
    functionById.set(f.id, fn);
    p.function.push(fn);
  }

  const nLocations = locations.id.length;
  const locIds = locations.id.data.subarray(0, nLocations);
  const locationById = new IdIndex<Location>(locIds);
  locations.lineStart.push(locations.lineFn.length);
  const lineStart = locations.lineStart.data, lineFn = locations.lineFn.data, lineNo = locations.lineNo.data, lineCol = locations.lineCol.data;
  for (let k = 0; k < nLocations; k++) {
    const id = locIds[k]!;
    if (id === 0) throw new ProfileParseError("found location with reserved id=0");
    if (locationById.has(id)) throw new ProfileParseError(`multiple locations with same id: ${id}`);
    // Nearly every location has one line: an array of one (one grown by push keeps room for 17).
    const first = lineStart[k]!, end = lineStart[k + 1]!;
    let lines: Line[];
    if (end - first === 1) {
      lines = [makeLine(id, functionById.get(lineFn[first]!), lineNo[first]!, lineCol[first]!)];
    } else {
      lines = [];
      for (let j = first; j < end; j++) lines.push(makeLine(id, functionById.get(lineFn[j]!), lineNo[j]!, lineCol[j]!));
    }
    const loc: Location = {
      id, mapping: mappingById.get(locations.mappingId.data[k]!), address: locations.address[k]!, line: lines, isFolded: locations.folded.data[k] !== 0,
    };
    locationById.set(id, loc);
    p.location.push(loc);
  }

  if (samples.count > 0 && p.sampleType.length === 0) throw new ProfileParseError("missing sample type information");
  checkSamples(samples, p.sampleType.length, locationById);
  checkLabels(samples, str);
  deferSamples(p, samples, locationById, str);
  return p;
}

/** What making the Sample objects would find wrong, found now: errors belong to decoding. */
function checkSamples(raw: RawSamples, nTypes: number, locationById: IdIndex<Location>): void {
  const { ids, wideIds } = raw;
  const idStart = raw.idStart.data;
  const valStart = raw.valStart.data;
  const dense = locationById.array();
  // Usually every id from the smallest to the largest names a location: then no id needs a look.
  let allFound = wideIds.size === 0 && dense !== undefined && raw.maxId < dense.length;
  for (let id = raw.minId; allFound && id <= raw.maxId; id++) if (dense![id] === undefined) allFound = false;
  for (let i = 0; i < raw.count; i++) {
    const v0 = valStart[i]!, v1 = valStart[i + 1]!;
    if (v1 - v0 !== nTypes) {
      throw new ProfileParseError(`mismatch: sample has ${v1 - v0} values vs. ${nTypes} types`);
    }
    if (allFound) continue;
    for (let k = idStart[i]!, e = idStart[i + 1]!; k < e; k++) {
      const id = ids[k]!;
      const loc = id < 0 ? locationById.get(wideIds.get(k)!) : dense ? dense[id] : locationById.get(id);
      if (!loc) throw new ProfileParseError("sample has nil location");
    }
  }
}

/** The strings the labels name exist (looked up as making the samples will). */
function checkLabels(raw: RawSamples, str: (i: number) => string): void {
  const key = raw.labKey.data, s = raw.labStr.data, num = raw.labNum.data, unit = raw.labUnit.data;
  for (let j = 0; j < raw.labKey.length; j++) {
    str(key[j]!);
    if (s[j] !== 0) str(s[j]!);
    else if (num[j] !== 0 || unit[j] !== 0) str(unit[j]!);
  }
}

/** Installs `p.sample` as a property that makes the Sample objects on first use (see DecodedSamples). */
function deferSamples(p: ProfileData, raw: RawSamples, locationById: IdIndex<Location>, str: (i: number) => string): void {
  const nTypes = p.sampleType.length;
  const dense = locationById.array();
  const ids = raw.ids.subarray(0, raw.nIds);
  const start = raw.idStart.data.subarray(0, raw.count + 1);
  const locationAt = (k: number): Location => {
    const id = ids[k]!;
    return (id < 0 ? locationById.get(raw.wideIds.get(k)!) : dense ? dense[id] : locationById.get(id))!;
  };
  let zeroSamples = 0;
  for (let i = 0; i < raw.count; i++) {
    let zero = true;
    for (let j = i * nTypes; j < (i + 1) * nTypes; j++) if (raw.values.data[j] !== 0) zero = false;
    if (zero) zeroSamples++;
  }
  const settle = (samples: Sample[]): Sample[] => {
    pendingSamples.delete(p);
    Object.defineProperty(p, "sample", { value: samples, writable: true, enumerable: true, configurable: true });
    return samples;
  };
  // (A label with a zero str is numeric, as buildSamples reads it.)
  let numericLabelCount = 0;
  const keyIndices = new Set<number>();
  for (let j = 0; j < raw.labKey.length; j++) {
    keyIndices.add(raw.labKey.data[j]!);
    if (raw.labStr.data[j] === 0) numericLabelCount++;
  }
  const labelKeys = new Set([...keyIndices].map(str));
  pendingSamples.set(p, {
    count: raw.count, valuesPerSample: nTypes, values: raw.values.data.subarray(0, raw.values.length), start, ids, locationAt,
    zeroSamples, labelCount: raw.labKey.length, numericLabelCount, labelKeys,
  });
  Object.defineProperty(p, "sample", {
    enumerable: true,
    configurable: true,
    get: () => settle(buildSamples(raw, ids, start, dense, locationAt, str)),
    set: (samples: Sample[]) => void settle(samples),
  });
}

function makeLine(locationId: number, fn: ProfileFunction | undefined, line: number, column: number): Line {
  if (!fn) throw new ProfileParseError(`location id: ${locationId} has a line with nil function`);
  return { function: fn, line, column };
}

/** Strings of the string table: short ASCII ones (nearly all) without TextDecoder's per-call cost. */
function decodeString(decoder: { decode(input: Uint8Array): string }, buf: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return decoder.decode(buf.subarray(start, end));
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return decoder.decode(buf.subarray(start, end));
  // One flat string (appending a character at a time leaves a chain of pieces in memory).
  return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
}

/** id → object: an array when the ids are small integers (as every writer makes them), else a Map. */
class IdIndex<T> {
  private readonly dense: (T | undefined)[] | undefined;
  private readonly sparse: Map<number, T> | undefined;

  constructor(ids: ArrayLike<number>) {
    let max = 0;
    let dense = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0) { dense = false; break; }
      if (id > max) max = id;
    }
    if (dense && max <= 4 * ids.length + 1024) {
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

function buildSamples(
  raw: RawSamples, ids: Int32Array, start: Int32Array, dense: readonly (Location | undefined)[] | undefined,
  locationAt: (k: number) => Location, str: (i: number) => string,
): Sample[] {
  const [valStart, labStart, values, labKey, labStr, labNum, labUnit] =
    [raw.valStart.data, raw.labStart.data, raw.values.data, raw.labKey.data, raw.labStr.data, raw.labNum.data, raw.labUnit.data];
  const out: Sample[] = new Array<Sample>(raw.count);
  // Gathered here, then copied to an array of the exact size: large profiles hold millions of these references.
  // (Kept at its largest size: emptying an array frees its storage, and regrowing it costs.)
  const stack: Location[] = [];
  for (let i = 0; i < raw.count; i++) {
    let depth = 0;
    if (dense) {
      // (Checked when decoded: every id names a location.)
      for (let k = start[i]!, e = start[i + 1]!; k < e; k++) {
        const id = ids[k]!;
        stack[depth++] = id >= 0 ? dense[id]! : locationAt(k);
      }
    } else {
      for (let k = start[i]!, e = start[i + 1]!; k < e; k++) stack[depth++] = locationAt(k);
    }
    const value: number[] = [];
    for (let j = valStart[i]!, e = valStart[i + 1]!; j < e; j++) value.push(values[j]!);
    const sample: Sample = { location: stack.slice(0, depth), value, label: {}, numLabel: {}, numUnit: {} };
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

/** Reads a sample into the columns of `out`. */
function readSample(r: ProtoReader, out: RawSamples): void {
  const outer = r.enter();
  while (r.pos < r.end) {
    const key = r.varint();
    const wire = key & 7;
    switch (key >>> 3) {
      case 1: readLocationIds(r, wire, out); break;
      case 2: readValues(r, wire, out.values); break;
      case 3: readLabel(r, out); break;
      default: r.skip(wire);
    }
  }
  r.leave(outer);
  out.endSample();
  checkLimit("samples", out.count);
  checkLimit("locationIds", out.nIds);
  checkLimit("values", out.values.length);
  checkLimit("labels", out.labKey.length);
}

/** ProtoReader.repeatedInt, into the id column. */
function readLocationIds(r: ProtoReader, wire: number, out: RawSamples): void {
  if (wire === 2) {
    const outer = r.enter();
    readPackedIds(r, out);
    r.leave(outer);
  } else if (wire === 0) {
    out.pushId(r.varint());
  } else {
    throw new ProtoDecodeError(`unexpected wire type ${wire} for a repeated integer`);
  }
}

/**
 * The packed ids from `r.pos` to `r.end`: ids under 2^21 (3 bytes, nearly
 * all) read here straight into the column, the others by `r.varint()`.
 */
function readPackedIds(r: ProtoReader, out: RawSamples): void {
  const buf = r.buf;
  const end = r.end;
  // Each id takes at least one byte: room for as many as there are bytes, or when that is past the cap, the exact count.
  let room = end - r.pos;
  if (out.nIds + room > decodeLimits.locationIds) {
    room = countVarints(buf, r.pos, end);
    checkLimit("locationIds", out.nIds + room);
  }
  out.reserve(room);
  let ids = out.ids;
  let n = out.nIds;
  let min = out.minId, max = out.maxId;
  let pos = r.pos;
  while (pos < end) {
    if (pos + 3 <= end) {
      const b0 = buf[pos]!;
      let id = -1;
      if (b0 < 0x80) {
        id = b0;
        pos += 1;
      } else {
        const b1 = buf[pos + 1]!;
        if (b1 < 0x80) {
          id = (b0 & 0x7f) | (b1 << 7);
          pos += 2;
        } else {
          const b2 = buf[pos + 2]!;
          if (b2 < 0x80) {
            id = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
            pos += 3;
          }
        }
      }
      if (id >= 0) {
        if (id < min) min = id;
        if (id > max) max = id;
        ids[n++] = id;
        continue;
      }
    }
    r.pos = pos;
    out.nIds = n;
    out.minId = min;
    out.maxId = max;
    out.pushId(r.varint());
    pos = r.pos;
    ids = out.ids;
    n = out.nIds;
    min = out.minId;
    max = out.maxId;
  }
  r.pos = pos;
  out.nIds = n;
  out.minId = min;
  out.maxId = max;
}

/** How many varints end in buf[start .. end) (each ends with a byte under 0x80). */
function countVarints(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (buf[i]! < 0x80) n++;
  return n;
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
  out.labKey.push(stringIndex(k));
  out.labStr.push(stringIndex(s));
  out.labNum.push(num);
  out.labUnit.push(stringIndex(numUnit));
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

/**
 * The locations as read, in columns (a large profile has a hundred thousand:
 * objects for them here would be garbage once the Location objects are made).
 * Location k has lines lineStart[k] .. lineStart[k + 1].
 */
class RawLocations {
  readonly id = new Column(Float64Array);
  readonly mappingId = new Column(Float64Array);
  readonly address: bigint[] = [];
  readonly folded = new Column(Int32Array);
  readonly lineStart = new Column(Int32Array);
  readonly lineFn = new Column(Float64Array);
  readonly lineNo = new Column(Float64Array);
  readonly lineCol = new Column(Float64Array);
}

function readLocation(r: ProtoReader, out: RawLocations): void {
  const outer = r.enter();
  let id = 0, mappingId = 0, address = 0n, folded = 0;
  out.lineStart.push(out.lineFn.length);
  while (r.pos < r.end) {
    const key = r.varint();
    switch (key >>> 3) {
      case 1: id = r.varint(); break;
      case 2: mappingId = r.varint(); break;
      case 3: address = r.varintBig(); break;
      case 4: {
        const locEnd = r.enter();
        let fn = 0, line = 0, column = 0;
        while (r.pos < r.end) {
          const k = r.varint();
          switch (k >>> 3) {
            case 1: fn = r.varint(); break;
            case 2: line = r.varint(); break;
            case 3: column = r.varint(); break;
            default: r.skip(k & 7);
          }
        }
        r.leave(locEnd);
        out.lineFn.push(fn);
        out.lineNo.push(line);
        out.lineCol.push(column);
        break;
      }
      case 5: folded = r.varint() !== 0 ? 1 : 0; break;
      default: r.skip(key & 7);
    }
  }
  r.leave(outer);
  out.id.push(id);
  out.mappingId.push(mappingId);
  out.address.push(address);
  out.folded.push(folded);
  checkLimit("locations", out.id.length);
  checkLimit("lines", out.lineFn.length);
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
