// The shell's `help` and `help <command|option>` texts.

const commands: [string, string][] = [
  ["callgrind", "Outputs a graph in callgrind format"],
  ["comments", "Output all profile comments"],
  ["dot", "Outputs a graph in DOT format"],
  ["eog", "Visualize graph through eog"],
  ["evince", "Visualize graph through evince"],
  ["flamegraph", "Outputs a flame graph as a self-contained HTML page (SVG with >file.svg)"],
  ["gif", "Outputs a graph image in GIF format"],
  ["gv", "Visualize graph through gv"],
  ["kcachegrind", "Visualize report in KCachegrind"],
  ["list", "Output annotated source for functions matching regexp"],
  ["pdf", "Outputs a graph in PDF format"],
  ["peek", "Output callers/callees of functions matching regexp"],
  ["png", "Outputs a graph image in PNG format"],
  ["proto", "Outputs the profile in compressed protobuf format"],
  ["ps", "Outputs a graph in PS format"],
  ["raw", "Outputs a text representation of the raw profile"],
  ["svg", "Outputs a graph in SVG format"],
  ["tags", "Outputs all tags in the profile"],
  ["text", "Outputs top entries in text form"],
  ["top", "Outputs top entries in text form"],
  ["topproto", "Outputs top entries in compressed protobuf format"],
  ["traces", "Outputs all profile samples in text form"],
  ["tree", "Outputs a text rendering of call graph"],
  ["web", "Visualize graph through web browser"],
  ["weblist", "Display annotated source in a web browser"],
];

const options: [string, string][] = [
  ["call_tree", "Create a context-sensitive call tree"],
  ["compact_labels", "Show minimal headers"],
  ["divide_by", "Ratio to divide all samples before visualization"],
  ["drop_negative", "Ignore negative differences"],
  ["edgefraction", "Hide edges below <f>*total"],
  ["focus", "Restricts to samples going through a node matching regexp"],
  ["granularity", "functions | filefunctions | files | lines | addresses"],
  ["hide", "Skips nodes matching regexp"],
  ["ignore", "Skips paths going through any nodes matching regexp"],
  ["mean", "Average sample value over first value (count)"],
  ["nodecount", "Max number of nodes to show"],
  ["nodefraction", "Hide nodes below <f>*total"],
  ["noinlines", "Ignore inlines."],
  ["showcolumns", "Show column numbers at the source code line level."],
  ["tag_percentages", "tags: each value as a share of the profile total"],
  ["normalize", "Scales profile based on the base profile."],
  ["output", "Output filename for file-based outputs"],
  ["prune_from", "Drops any functions below the matched frame."],
  ["relative_percentages", "Show percentages relative to focused subgraph"],
  ["sample_index", "Sample value to report (0-based index or name)"],
  ["show", "Only show nodes matching regexp"],
  ["show_from", "Drops functions above the highest matched frame."],
  ["sort", "cum | flat"],
  ["tagfocus", "Restricts to samples with tags in range or matched by regexp"],
  ["taghide", "Skip tags matching this regexp"],
  ["tagignore", "Discard samples with tags in range or matched by regexp"],
  ["tagshow", "Only consider tags matching this regexp"],
  ["trim", "Honor nodefraction/edgefraction/nodecount defaults"],
  ["trim_path", "Path to trim from source paths before search"],
  ["unit", "Measurement units to display"],
];

export function shellHelp(): string {
  const lines = ["  Commands:"];
  for (const [name, help] of commands) lines.push(`    ${name.padEnd(12)} ${help}`);
  lines.push("", "  Options:");
  for (const [name, help] of options) lines.push(`    ${name.padEnd(20)} ${help}`);
  lines.push(
    "",
    "  Option groups (use e.g. granularity=lines, or lines=true):",
    "    granularity  functions | filefunctions | files | lines | addresses",
    "    sort         cum | flat",
    "",
    "  Command line: cmd[N] [regexp]... [-regexp]... [-cum] [>file]",
    "  :   Clear focus/ignore/hide/tagfocus/tagignore",
    "  o, options   Show the options; q, quit, exit (or end of input) to leave",
    "",
    '  type "help <cmd|option>" for more information',
    "",
  );
  return lines.join("\n");
}

export function commandHelp(name: string): string | undefined {
  const c = commands.find(([n]) => n === name) ?? options.find(([n]) => n === name);
  return c ? `${c[1]}\n` : undefined;
}
