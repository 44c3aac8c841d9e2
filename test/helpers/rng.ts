// A deterministic PRNG (mulberry32) for generated test inputs: a failure is
// reproduced from its seed.

export type Rand = () => number;

/** Numbers in [0, 1), the same sequence for the same seed. */
export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
