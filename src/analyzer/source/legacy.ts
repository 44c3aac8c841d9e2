// Legacy profiles, read as `go tool pprof` reads them when a source is not a
// pprof protobuf: gperftools' binary CPU profile, then the text forms (heap,
// count profiles, threadz dumps, contention, Java agents' profiles), each
// recognized by its content.

import { gunzipSync } from "node:zlib";
import type { ProfileData } from "../../profile/model.js";
import { parseGperftoolsCPU } from "./legacy-cpu.js";
import { NotThisFormat } from "./legacy-lines.js";
import { buildLegacyProfile, type LegacyDraft } from "./legacy-profile.js";
import { parseContention } from "./legacy-contention.js";
import { parseCount } from "./legacy-count.js";
import { parseHeap } from "./legacy-heap.js";
import { parseJavaProfile } from "./legacy-java.js";
import { parseThread } from "./legacy-thread.js";

const textParsers: ((text: string) => LegacyDraft)[] = [parseHeap, parseCount, parseThread, parseContention, parseJavaProfile];

export type LegacyResult = { profile: ProfileData } | { unrecognized: "text" | "binary" };

/**
 * The profile, or which kind of content it is not: a recognized profile
 * that is malformed throws a SourceError.
 */
export function parseLegacyProfile(data: Uint8Array): LegacyResult {
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data);
    } catch {
      return { unrecognized: "binary" };
    }
  }
  const attempt = (parse: () => LegacyDraft): ProfileData | undefined => {
    try {
      return buildLegacyProfile(parse());
    } catch (err) {
      if (err instanceof NotThisFormat) return undefined;
      throw err;
    }
  };
  if (data.length === 0) return { unrecognized: "binary" };
  const cpu = attempt(() => parseGperftoolsCPU(data));
  if (cpu) return { profile: cpu };
  if (!looksLikeText(data)) return { unrecognized: "binary" };
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  for (const parse of textParsers) {
    const profile = attempt(() => parse(text));
    if (profile) return { profile };
  }
  return { unrecognized: "text" };
}

/** No control characters but white space near the start. */
function looksLikeText(data: Uint8Array): boolean {
  const n = Math.min(data.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = data[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x0b) return false;
  }
  return true;
}
