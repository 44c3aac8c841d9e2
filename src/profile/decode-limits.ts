// Caps on what one profile may hold, so that a hostile file (a gzip bomb, a
// string table of 500 million empty strings, a billion location ids) ends in
// an error naming the cap instead of exhausting memory. Each is far beyond
// what real profiles have (a 22 MB profile of 300,000 samples, 8 million
// location ids, 100,000 locations is a large one), and together they keep a
// decoded profile under about 2 GB of heap: docs/pprof.md, "Limits".

import { ProtoDecodeError } from "./protobuf.js";

export const decodeLimits = {
  /** A gzipped profile inflated (gunzip holds it twice at its peak). */
  inflatedBytes: 1 << 29,
  /** Entries of the string table. */
  strings: 1 << 24,
  /** Bytes of one string (V8's longest string is 2^29 characters). */
  stringBytes: 1 << 28,
  /** With this many of each (one sample per location, one function per location), -traces stays under a 2 GB heap; at twice as many it ran out of it. */
  samples: 1 << 21,
  locations: 1 << 21,
  functions: 1 << 21,
  mappings: 1 << 20,
  /** Location ids over all samples (stack frames). */
  locationIds: 1 << 26,
  /** Lines over all locations. */
  lines: 1 << 24,
  /** Labels over all samples. */
  labels: 1 << 24,
  /** Values over all samples. */
  values: 1 << 26,
  sampleTypes: 1 << 16,
  comments: 1 << 20,
};

export type DecodeLimit = keyof typeof decodeLimits;

const what: Record<DecodeLimit, string> = {
  inflatedBytes: "bytes inflated",
  strings: "strings in the string table",
  stringBytes: "bytes in one string",
  samples: "samples",
  locations: "locations",
  functions: "functions",
  mappings: "mappings",
  locationIds: "location ids over all samples",
  lines: "lines over all locations",
  labels: "labels over all samples",
  values: "values over all samples",
  sampleTypes: "sample types",
  comments: "comments",
};

/** The error for a profile past `limit`. */
export function limitError(limit: DecodeLimit): ProtoDecodeError {
  return new ProtoDecodeError(`profile too large: more than ${decodeLimits[limit].toLocaleString("en-US")} ${what[limit]} (tsprof's limit)`);
}

/** Throws limitError(limit) when `count` is past it. */
export function checkLimit(limit: DecodeLimit, count: number): void {
  if (count > decodeLimits[limit]) throw limitError(limit);
}
