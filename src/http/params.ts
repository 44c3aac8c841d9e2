// Query parameters, checked: a malformed or out-of-range value is answered
// with 400 and a text saying what was wrong, where Go would silently fall
// back to a default (the issue asks for the stricter behaviour).

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `seconds` of /profile and delta profiles: a positive integer no larger than
 * max. An absent or empty value gives `fallback`.
 */
export function parseSeconds(raw: string | null, fallback: number, max: number): Parsed<number> {
  if (raw === null || raw === "") return { ok: true, value: fallback };
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) return { ok: false, error: `invalid value for "seconds" - must be a positive integer` };
  if (n > max) return { ok: false, error: tooLong(max) };
  return { ok: true, value: n };
}

/** `seconds` of /trace: a positive number (fractions allowed, as Go's ParseFloat), at most max. */
export function parseFractionalSeconds(raw: string | null, fallback: number, max: number): Parsed<number> {
  if (raw === null || raw === "") return { ok: true, value: fallback };
  const n = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0) return { ok: false, error: `invalid value for "seconds" - must be a positive number` };
  if (n > max) return { ok: false, error: tooLong(max) };
  return { ok: true, value: n };
}

function tooLong(max: number): string {
  return `invalid value for "seconds" - must be at most ${max} (the server's maxSeconds)`;
}

/** `debug`: 0 (pprof protobuf, the default), 1 (text) or 2 (goroutine: a dump of every one). */
export function parseDebug(raw: string | null): Parsed<number> {
  if (raw === null || raw === "") return { ok: true, value: 0 };
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (n !== 0 && n !== 1 && n !== 2) return { ok: false, error: `invalid value for "debug" - must be 0, 1 or 2` };
  return { ok: true, value: n };
}

/** `gc`: an integer; greater than 0 collects garbage before a heap profile. */
export function parseGC(raw: string | null): Parsed<number> {
  if (raw === null || raw === "") return { ok: true, value: 0 };
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) return { ok: false, error: `invalid value for "gc" - must be an integer` };
  return { ok: true, value: n };
}
