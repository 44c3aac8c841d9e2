// Object sizes and unsampling for V8's sampled heap. The inspector reports
// each sample as size * round(1 / (1 - exp(-size/rate))) (the scale factor
// rounded per sample), not the object's size. Scaling that product over-counts
// objects near the rate by up to 58% (512 KiB objects at a 512 KiB rate: 2
// objects per sample instead of 1.58). So the size is recovered, and the
// counts are scaled once per record, as Go's protomem.go scaleHeapSample does.

/** Go's scaleHeapSample: a bucket's sampled count and bytes → estimates of all objects. */
export function scaleHeapSample(count: number, bytes: number, rate: number): { count: number; bytes: number } {
  if (count === 0 || bytes === 0) return { count: 0, bytes: 0 };
  if (rate <= 1) return { count, bytes }; // every allocation was sampled
  const scale = 1 / (1 - Math.exp(-bytes / count / rate));
  return { count: Math.trunc(count * scale), bytes: Math.trunc(bytes * scale) };
}

/** V8's SamplingHeapProfiler::ScaleSample: `count` samples of `size` → objects, rounded. */
export function v8ScaledCount(size: number, count: number, rate: number): number {
  if (rate <= 1) return count;
  const scale = 1 / (1 - Math.exp(-size / rate));
  return Math.floor(count * scale + 0.5);
}

/**
 * Object sizes that V8 would report as `reported` (size * its per-sample
 * rounded scale), smallest first. V8's heap objects are multiples of 8 bytes
 * on 64-bit Node, at least 16; other sizes are tried only when none fits.
 * Empty when no size fits.
 */
export function candidateSizes(reported: number, rate: number): number[] {
  const key = `${reported}:${rate}`;
  let hit = candidates.get(key);
  if (!hit) {
    const all = divisorSizes(reported, rate);
    const aligned = all.filter((s) => s % 8 === 0 && s >= 16);
    hit = aligned.length > 0 ? aligned : all;
    if (candidates.size > 10_000) candidates.clear();
    candidates.set(key, hit);
  }
  return hit;
}
const candidates = new Map<string, number[]>();

function divisorSizes(reported: number, rate: number): number[] {
  if (!Number.isSafeInteger(reported) || reported <= 0) return [];
  // reported = size * k lies between rate and rate + size * (1 + size/rate/12)
  // (the scale is rate/size + 1/2 + size/rate/12 - ...), so for k >= 2 the
  // size is above (reported - rate) / 1.1: k stays small unless the object is.
  let kMax = Math.floor(reported / 8);
  if (reported > rate) kMax = Math.min(kMax, Math.floor((1.5 * reported) / (reported - rate)) + 1);
  const out: number[] = [];
  for (let k = kMax; k >= 1; k--) {
    if (reported % k !== 0) continue;
    const size = reported / k;
    if (v8ScaledCount(size, 1, rate) === k) out.push(size);
  }
  return out;
}

/** One V8 allocation node's samples of one reported size. */
export interface ReportedGroup {
  reported: number;
  samples: number;
}

/** Search steps allowed when several sizes of one node are ambiguous. */
const SEARCH_BUDGET = 1024;

/**
 * The object size behind each group of one V8 allocation node. V8 also gives
 * the node's selfSize, the sum over its sizes of size * round(count * scale):
 * of the candidate sizes, the combination that reproduces it is taken (the
 * smallest sizes first), which tells apart e.g. 512 KiB objects from 1 MiB
 * ones at a 512 KiB rate once a node holds two samples of them. Without a
 * match (one sample, or two sizes V8 reports alike) the smallest candidates
 * stand. A group no size fits keeps its reported size.
 */
export function resolveSizes(groups: ReportedGroup[], selfSize: number, rate: number): number[] {
  return resolveSizesMatched(groups, selfSize, rate).sizes;
}

/** resolveSizes, and whether the sizes reproduce selfSize (false: the smallest candidates stand). */
export function resolveSizesMatched(groups: ReportedGroup[], selfSize: number, rate: number): { sizes: number[]; matched: boolean } {
  const options = groups.map((g) => {
    const sizes = candidateSizes(g.reported, rate);
    return sizes.length > 0 ? sizes.map((size) => ({ size, bytes: size * v8ScaledCount(size, g.samples, rate) })) : [{ size: g.reported, bytes: g.reported * g.samples }];
  });
  const chosen = options.map((o) => o[0]!.size);
  if (options.every((o) => o.length === 1)) return { sizes: chosen, matched: true };
  let budget = SEARCH_BUDGET;
  const pick: number[] = new Array<number>(groups.length);
  const search = (i: number, left: number): boolean => {
    if (--budget < 0) return false;
    if (i === options.length) return left === 0;
    for (const o of options[i]!) {
      if (o.bytes > left) continue;
      pick[i] = o.size;
      if (search(i + 1, left - o.bytes)) return true;
    }
    return false;
  };
  return search(0, selfSize) ? { sizes: pick, matched: true } : { sizes: chosen, matched: false };
}
