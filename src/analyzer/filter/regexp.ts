// User regexps (focus, ignore, peek, list…): Go's RE2 syntax is close to
// JavaScript's for what people type; a bad one is a FilterError with the
// message google/pprof prints.

export class FilterError extends Error {
  override name = "FilterError";
}

/** Compiles `value` for option `name`; FilterError "parsing NAME regexp: …" on bad syntax. */
export function compileRegexp(name: string, value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (err) {
    // JS says "Invalid regular expression: /(/: Unterminated group".
    const m = /^Invalid regular expression: \/.*\/\w*: (.*)$/s.exec((err as Error).message);
    const why = m ? m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1) : (err as Error).message;
    throw new FilterError(`parsing ${name} regexp: ${why}: \`${value}\``);
  }
}

/** undefined for "" (option not set). */
export function compileRegexpOption(name: string, value: string): RegExp | undefined {
  return value === "" ? undefined : compileRegexp(name, value);
}
