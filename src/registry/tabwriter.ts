// Go's text/tabwriter as runtime/pprof configures it for its text profiles:
// NewWriter(w, minwidth 1, tabwidth 8, padding 1, padchar '\t', flags 0).
// A cell is text ended by a tab; the last text of a line is not a cell. A
// column is a run of consecutive lines that have a cell in it; its width is
// the widest cell plus the padding, rounded up to a multiple of the tab
// width, and cells are padded with tabs to it.

const MIN_WIDTH = 1;
const TAB_WIDTH = 8;
const PADDING = 1;

/** Formats `text` as Go's tabwriter with pprof's settings would. */
export function tabwrite(text: string): string {
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
        out += c;
        if (j < widths.length) out += padding(runeCount(c), widths[j]!);
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
      let width = MIN_WIDTH;
      for (; t < line1; t++) {
        const cells = lines[t]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, runeCount(cells[column]!) + PADDING);
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

function padding(textWidth: number, cellWidth: number): string {
  const cell = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
  return "\t".repeat(Math.ceil((cell - textWidth) / TAB_WIDTH));
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
