// The binary CPU profile of gperftools (pprof's "profilez"): a header of five
// words (0, 3, 0, the sampling period in microseconds, 0), then records of
// (count, depth, addresses...), an end marker (0, 1, 0), then the text of
// /proc/self/maps. Words are 32 or 64 bits, little- or big-endian: the first
// reading whose header makes sense wins, as in google/pprof. A third header
// word of 1 marks a Java agent's CPU profile, whose addresses are named by
// the lines after the records.

import { LineScanner, NotThisFormat, minusOne } from "./legacy-lines.js";
import { javaCPUNames } from "./legacy-java.js";
import { parseMemoryMap } from "./legacy-maps.js";
import type { LegacyDraft, LegacySample } from "./legacy-profile.js";

interface WordReader {
  size: 4 | 8;
  read(b: Uint8Array, at: number): bigint;
}

const readers: WordReader[] = [
  { size: 4, read: (b, at) => BigInt(b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) | (BigInt(b[at + 3]!) << 24n) },
  { size: 4, read: (b, at) => BigInt(b[at + 3]! | (b[at + 2]! << 8) | (b[at + 1]! << 16)) | (BigInt(b[at]!) << 24n) },
  { size: 8, read: (b, at) => readers[0]!.read(b, at) | (readers[0]!.read(b, at + 4) << 32n) },
  { size: 8, read: (b, at) => (readers[1]!.read(b, at) << 32n) | readers[1]!.read(b, at + 4) },
];

/** Reads words from `pos` on; a word cut short ends the data (Go's parsers return nil then). */
class Words {
  pos = 0;
  ended = false;

  constructor(private readonly b: Uint8Array, private readonly r: WordReader) {}

  next(): bigint {
    if (this.ended || this.b.length - this.pos < this.r.size) {
      this.ended = true;
      return 0n;
    }
    const v = this.r.read(this.b, this.pos);
    this.pos += this.r.size;
    return v;
  }

  remaining(): number {
    return this.ended ? 0 : this.b.length - this.pos;
  }
}

/** Samples kept by at most this share of exceptions still lose a frame common to all others. */
const similarSamples = 32;

export function parseGperftoolsCPU(data: Uint8Array): LegacyDraft {
  for (const r of readers) {
    const w = new Words(data, r);
    const h = [w.next(), w.next(), w.next(), w.next(), w.next()];
    if (w.ended || h[0] !== 0n || h[1] !== 3n || h[4] !== 0n || h[3] === 0n) continue;
    const period = Number(BigInt.asIntN(64, h[3]!));
    if (h[2] === 0n) return cpuProfile(w, data, period);
    if (h[2] === 1n) return javaCPUProfile(w, data, period);
  }
  throw new NotThisFormat();
}

/** The records up to the end marker; `adjust`: callers' return addresses made to land on the call. */
function cpuSamples(w: Words, period: number, adjust: boolean): LegacySample[] {
  const samples: LegacySample[] = [];
  while (w.remaining() > 0) {
    const count = w.next();
    const depth = w.next();
    if (w.ended || depth > BigInt(Math.floor(w.remaining() / 4))) throw new NotThisFormat();
    const addrs: bigint[] = [];
    for (let i = 0; i < Number(depth); i++) addrs.push(w.next());
    if (count === 0n && depth === 1n && addrs[0] === 0n) break; // end of the samples
    // The leaf is where the signal hit: it is never adjusted.
    const n = Number(BigInt.asIntN(64, count));
    samples.push({ addrs: addrs.map((a, i) => (adjust && i > 0 ? minusOne(a) : a)), value: [n, n * period] });
  }
  return samples;
}

/** What follows the records, as text. */
function trailer(w: Words, data: Uint8Array): string {
  return w.ended ? "" : Buffer.from(data.buffer, data.byteOffset + w.pos, data.length - w.pos).toString("utf8");
}

const cpuTypes = () => ({
  sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
  periodType: { type: "cpu", unit: "nanoseconds" },
});

/** A Java agent's CPU profile: its records, then `0xADDR function (file:line)` lines naming the addresses. */
function javaCPUProfile(w: Words, data: Uint8Array, periodMicros: number): LegacyDraft {
  const period = periodMicros * 1000;
  const samples = cpuSamples(w, period, false);
  return { ...cpuTypes(), period, durationNanos: 0, samples, mappings: [], names: javaCPUNames(trailer(w, data)), java: true };
}

function cpuProfile(w: Words, data: Uint8Array, periodMicros: number): LegacyDraft {
  const period = periodMicros * 1000;
  const samples = cpuSamples(w, period, true);
  dropSignalHandlerFrames(samples);
  const locationOrder = [...new Set(samples.flatMap((s) => s.addrs))];
  const mappings = parseMemoryMap(new LineScanner(trailer(w, data)));
  // The leaf may be there twice: once from the signal context, once (less one) from unwinding.
  for (const s of samples) {
    if (s.addrs.length > 1 && s.addrs[0] === BigInt.asUintN(64, s.addrs[1]! + 1n)) s.addrs.splice(1, 1);
  }
  return {
    ...cpuTypes(),
    period,
    durationNanos: 0,
    samples,
    locationOrder,
    mappings,
  };
}

/**
 * A second frame shared by (nearly) every sample is the signal handler's,
 * pushed by the measurement: removed, up to twice.
 */
function dropSignalHandlerFrames(samples: LegacySample[]): void {
  const margin = Math.floor(samples.length / similarSamples);
  for (let iter = 0; iter < 2; iter++) {
    const counts = new Map<bigint, number>();
    for (const s of samples) if (s.addrs.length > 1) counts.set(s.addrs[1]!, (counts.get(s.addrs[1]!) ?? 0) + 1);
    for (const [addr, n] of counts) {
      if (n < samples.length - margin) continue;
      for (const s of samples) if (s.addrs.length > 1 && s.addrs[1] === addr) s.addrs.splice(1, 1);
      break;
    }
  }
}
