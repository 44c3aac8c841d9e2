// Regexps from the user (focus, ignore, peek, list, tagfocus…) and from the
// profile itself (drop_frames, keep_frames) run on RE2, as in go tool pprof:
// Go's syntax, and time linear in the text matched, so that no pattern can
// hang the analyzer (JavaScript's backtracking engine takes seconds for
// `(a+)+$` against a 28-character name). re2js is a JavaScript port of RE2;
// its syntax errors are Go's ("error parsing regexp: missing closing ): `(`").

import { createRequire } from "node:module";

export class FilterError extends Error {
  override name = "FilterError";
}

/** What the filters need of a regexp: an unanchored search, and the pattern as written. */
export interface NameRegexp {
  test(text: string): boolean;
  readonly source: string;
}

type RE2JSModule = typeof import("re2js");

// Loaded on the first regexp: most reports have none, and the module is large.
let re2jsModule: RE2JSModule | undefined;
function re2js(): RE2JSModule {
  return (re2jsModule ??= createRequire(import.meta.url)("re2js") as RE2JSModule);
}

/** Distinct texts whose answer a regexp remembers (profiles repeat names and file names many times). */
const MAX_CACHED = 1 << 16;

class RE2Regexp implements NameRegexp {
  private readonly answers = new Map<string, boolean>();

  constructor(readonly source: string, private readonly re: { test(text: string): boolean }) {}

  test(text: string): boolean {
    let answer = this.answers.get(text);
    if (answer === undefined) {
      answer = this.re.test(text);
      if (this.answers.size < MAX_CACHED) this.answers.set(text, answer);
    }
    return answer;
  }
}

/**
 * Compiles `pattern` with RE2's syntax; throws RE2's message ("error parsing
 * regexp: …", as Go's regexp.Compile) as a FilterError.
 */
export function compileRE2(pattern: string): NameRegexp {
  const { RE2JS } = re2js();
  try {
    return new RE2Regexp(pattern, RE2JS.compile(pattern));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // Anything but a syntax error (the parser's own limits included) still says what it is about.
    throw new FilterError(msg.startsWith("error parsing regexp: ") ? msg : `error parsing regexp: ${msg}`);
  }
}

/** Compiles `value` for option `name`; FilterError "parsing NAME regexp: …" on bad syntax, as go tool pprof says it. */
export function compileRegexp(name: string, value: string): NameRegexp {
  try {
    return compileRE2(value);
  } catch (err) {
    throw new FilterError(`parsing ${name} regexp: ${(err as Error).message}`);
  }
}

/** undefined for "" (option not set). */
export function compileRegexpOption(name: string, value: string): NameRegexp | undefined {
  return value === "" ? undefined : compileRegexp(name, value);
}
