// Go's text/tabwriter, for the configuration pprof's `tags` report uses
// (minwidth 0, tabwidth 0, padding 1, pad with spaces, align right): cells end
// at tabs; a column is a run of consecutive lines that have a cell in it; a
// line without tabs ends every column above it.

export class TabWriter {
  private lines: string[][] = [];
  private out = "";

  constructor(private readonly padding = 1, private readonly alignRight = true) {}

  /** Adds text; lines end with "\n". */
  write(text: string): void {
    const parts = text.split("\n");
    for (let i = 0; i < parts.length; i++) {
      const cells = parts[i]!.split("\t");
      if (this.lines.length === 0 || this.pendingLineClosed) {
        this.lines.push(cells);
        this.pendingLineClosed = false;
      } else {
        const cur = this.lines[this.lines.length - 1]!;
        cur[cur.length - 1] += cells[0]!;
        cur.push(...cells.slice(1));
      }
      if (i < parts.length - 1) {
        this.pendingLineClosed = true;
        const line = this.lines[this.lines.length - 1]!;
        if (line.length === 1) this.flushLines(true);
      }
    }
  }

  private pendingLineClosed = false;

  /** Everything written so far, formatted. */
  flush(): string {
    this.flushLines(this.pendingLineClosed);
    const s = this.out;
    this.out = "";
    return s;
  }

  private flushLines(lastTerminated: boolean): void {
    const widths: number[] = [];
    const lines = this.lines;
    const width = (s: string) => [...s].length;
    const writeLines = (line0: number, line1: number) => {
      for (let i = line0; i < line1; i++) {
        const line = lines[i]!;
        line.forEach((c, j) => {
          const pad = j < widths.length ? " ".repeat(Math.max(0, widths[j]! - width(c))) : "";
          if (c.length === 0) this.out += pad;
          else this.out += this.alignRight ? pad + c : c + pad;
        });
        if (i + 1 < lines.length || lastTerminated) this.out += "\n";
      }
    };
    const format = (line0: number, line1: number): void => {
      const column = widths.length;
      for (let t = line0; t < line1; t++) {
        if (column >= lines[t]!.length - 1) continue;
        writeLines(line0, t);
        line0 = t;
        let w = 0;
        for (; t < line1; t++) {
          const line = lines[t]!;
          if (column >= line.length - 1) break;
          w = Math.max(w, width(line[column]!) + this.padding);
        }
        widths.push(w);
        format(line0, t);
        widths.pop();
        line0 = t;
        t--; // the loop's t++ must revisit line t
      }
      writeLines(line0, line1);
    };
    format(0, lines.length);
    this.lines = [];
    this.pendingLineClosed = false;
  }
}
