// The pprof data model (perftools.profiles.Profile), with string-table indices
// resolved and ids resolved to object references, as google/pprof's
// profile.Profile. Collectors build it, encode.ts/decode.ts turn it into bytes
// and back, and the analyzer reads it. It never prints and never parses.

export interface ValueType {
  type: string;
  unit: string;
}

export interface ProfileFunction {
  /** Nonzero, unique within the profile. */
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

export interface Line {
  function: ProfileFunction;
  line: number;
  column: number;
}

export interface Mapping {
  /** Nonzero, unique within the profile. */
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

export interface Location {
  /** Nonzero, unique within the profile. */
  id: number;
  mapping: Mapping | undefined;
  address: bigint;
  /** Inlined frames: line[0] is the innermost callee, the last is the physical caller. */
  line: Line[];
  isFolded: boolean;
}

export interface Sample {
  /** Leaf first. */
  location: Location[];
  /** One value per sample type. */
  value: number[];
  /** String labels: key → values. */
  label: Record<string, string[]>;
  /** Numeric labels: key → values. */
  numLabel: Record<string, number[]>;
  /** Units of numLabel values, parallel to numLabel (may be absent). */
  numUnit: Record<string, string[]>;
}

export interface ProfileData {
  sampleType: ValueType[];
  /** Name of the preferred sample type; "" means the last one. */
  defaultSampleType: string;
  sample: Sample[];
  mapping: Mapping[];
  location: Location[];
  function: ProfileFunction[];
  comments: string[];
  docUrl: string;
  dropFrames: string;
  keepFrames: string;
  /** Nanoseconds since the Unix epoch (int64: kept exact as a bigint). */
  timeNanos: bigint;
  durationNanos: number;
  periodType: ValueType | undefined;
  period: number;
}

export function emptyProfile(): ProfileData {
  return {
    sampleType: [],
    defaultSampleType: "",
    sample: [],
    mapping: [],
    location: [],
    function: [],
    comments: [],
    docUrl: "",
    dropFrames: "",
    keepFrames: "",
    timeNanos: 0n,
    durationNanos: 0,
    periodType: undefined,
    period: 0,
  };
}

export function newSample(location: Location[], value: number[]): Sample {
  return { location, value, label: {}, numLabel: {}, numUnit: {} };
}
