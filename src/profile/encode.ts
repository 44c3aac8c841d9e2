// ProfileData → profile.proto bytes (and gzip). Strings are interned as they
// are met and the table is written last, as Go's profileBuilder does.

import { gzip, gzipSync, constants as zlibConstants } from "node:zlib";
import { promisify } from "node:util";
import type { ProfileData, ValueType } from "./model.js";
import { ProtoWriter } from "./protobuf.js";

const gzipAsync = promisify(gzip);

class StringTable {
  readonly strings: string[] = [""];
  private readonly index = new Map<string, number>([["", 0]]);

  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** Serializes a profile to uncompressed profile.proto bytes. */
export function encodeProfile(p: ProfileData): Uint8Array {
  const w = new ProtoWriter(Math.max(64 * 1024, p.sample.length * 48));
  const st = new StringTable();

  const valueType = (field: number, vt: ValueType) => {
    const type = st.id(vt.type);
    const unit = st.id(vt.unit);
    w.message(field, () => {
      w.intAlways(1, type);
      w.intAlways(2, unit);
    });
  };

  for (const vt of p.sampleType) valueType(1, vt);

  const ids: number[] = [];
  for (const s of p.sample) {
    w.tag(2, 2);
    const start = w.beginLength();
    ids.length = 0;
    for (const loc of s.location) ids.push(loc.id);
    w.repeatedInt(1, ids);
    w.repeatedInt(2, s.value);
    for (const key in s.label) {
      const k = st.id(key);
      for (const v of s.label[key]!) {
        const sv = st.id(v);
        w.message(3, () => {
          w.int(1, k);
          w.int(2, sv);
        });
      }
    }
    for (const key in s.numLabel) {
      const k = st.id(key);
      const units = s.numUnit[key];
      const values = s.numLabel[key]!;
      for (let i = 0; i < values.length; i++) {
        const unit = units?.[i] ? st.id(units[i]!) : 0;
        w.message(3, () => {
          w.int(1, k);
          w.intAlways(3, values[i]!);
          w.int(4, unit);
        });
      }
    }
    w.endLength(start);
  }

  for (const m of p.mapping) {
    const file = st.id(m.file);
    const buildId = st.id(m.buildId);
    w.message(3, () => {
      w.int(1, m.id);
      w.bigint(2, m.start);
      w.bigint(3, m.limit);
      w.bigint(4, m.offset);
      w.int(5, file);
      w.int(6, buildId);
      w.bool(7, m.hasFunctions);
      w.bool(8, m.hasFilenames);
      w.bool(9, m.hasLineNumbers);
      w.bool(10, m.hasInlineFrames);
    });
  }

  for (const loc of p.location) {
    w.message(4, () => {
      w.int(1, loc.id);
      w.int(2, loc.mapping ? loc.mapping.id : 0);
      w.bigint(3, loc.address);
      for (const line of loc.line) {
        w.message(4, () => {
          w.int(1, line.function.id);
          w.int(2, line.line);
          w.int(3, line.column);
        });
      }
      w.bool(5, loc.isFolded);
    });
  }

  for (const fn of p.function) {
    const name = st.id(fn.name);
    const systemName = st.id(fn.systemName);
    const filename = st.id(fn.filename);
    w.message(5, () => {
      w.int(1, fn.id);
      w.int(2, name);
      w.int(3, systemName);
      w.int(4, filename);
      w.int(5, fn.startLine);
    });
  }

  if (p.dropFrames) w.int(7, st.id(p.dropFrames));
  if (p.keepFrames) w.int(8, st.id(p.keepFrames));
  w.bigint(9, p.timeNanos);
  w.int(10, p.durationNanos);
  if (p.periodType) valueType(11, p.periodType);
  w.int(12, p.period);
  for (const c of p.comments) w.intAlways(13, st.id(c));
  if (p.defaultSampleType) w.int(14, st.id(p.defaultSampleType));
  if (p.docUrl) w.int(15, st.id(p.docUrl));

  for (const s of st.strings) w.string(6, s);
  return w.finish();
}

/** Serializes and gzips a profile; the compression runs on libuv's thread pool. */
export async function encodeProfileGzip(p: ProfileData): Promise<Buffer> {
  return gzipAsync(encodeProfile(p), { level: zlibConstants.Z_BEST_SPEED });
}

export function encodeProfileGzipSync(p: ProfileData): Buffer {
  return gzipSync(encodeProfile(p), { level: zlibConstants.Z_BEST_SPEED });
}
