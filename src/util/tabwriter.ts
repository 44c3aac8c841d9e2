// Go's text/tabwriter, for the two configurations pprof's texts use:
// runtime/pprof's text profiles (minwidth 1, tabwidth 8, padding 1, padded
// with tabs) and google/pprof's `tags` report (minwidth 0, padding 1, padded
// with spaces, aligned right). A cell is text ended by a tab; the last text of
// a line is not a cell. A column is a run of consecutive lines that have a
// cell in it; its width is the widest cell plus the padding.

export interface TabwriterOptions {
  minWidth: number;
  /** With tabs as padding: column widths round up to multiples of it. */
  tabWidth: number;
  padding: number;
  padChar: "\t" | " ";
  alignRight: boolean;
}

/** runtime/pprof's settings: NewWriter(w, 1, 8, 1, '\t', 0). */
export const PPROF_TEXT: TabwriterOptions = { minWidth: 1, tabWidth: 8, padding: 1, padChar: "\t", alignRight: false };
/** google/pprof's tags report: NewWriter(w, 0, 0, 1, ' ', AlignRight). */
export const PPROF_TAGS: TabwriterOptions = { minWidth: 0, tabWidth: 0, padding: 1, padChar: " ", alignRight: true };

/** Formats `text` as Go's tabwriter with the given settings would. */
export function tabwrite(text: string, options: TabwriterOptions = PPROF_TEXT): string {
  const raw = text.split("\n");
  // A final "\n" leaves an empty, unterminated last line: not a line.
  const terminated = raw[raw.length - 1] === "";
  if (terminated) raw.pop();
  const lines = raw.map((l) => l.split("\t"));
  const widths: number[] = [];
  let out = "";

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i]!;
      for (let j = 0; j < cells.length; j++) {
        const c = cells[j]!;
        if (j >= widths.length) {
          out += c;
          continue;
        }
        const pad = padding(runeCount(c), widths[j]!, options);
        if (c.length === 0) out += pad;
        else out += options.alignRight ? pad + c : c + pad;
      }
      if (i + 1 < lines.length || terminated) out += "\n";
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      // A block of lines with a cell in this column starts at t.
      writeLines(line0, t);
      line0 = t;
      let width = options.minWidth;
      for (; t < line1; t++) {
        const cells = lines[t]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, runeCount(cells[column]!) + options.padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
      t--; // the loop's t++ must look at the line that ended the block
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}

function padding(textWidth: number, cellWidth: number, options: TabwriterOptions): string {
  if (options.padChar === " ") return " ".repeat(Math.max(0, cellWidth - textWidth));
  const cell = Math.ceil(cellWidth / options.tabWidth) * options.tabWidth;
  return "\t".repeat(Math.ceil((cell - textWidth) / options.tabWidth));
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
