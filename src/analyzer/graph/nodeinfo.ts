// What each frame of a location becomes as a graph node, at the chosen
// granularity: the aggregation google/pprof applies to the profile before
// graphing (Profile.Aggregate), done here on the fly so the profile is
// never rewritten.

import type { Line, Location } from "../../profile/model.js";
import type { Granularity } from "../config.js";
import type { NodeInfo } from "./types.js";

/** Which parts of a frame tell nodes apart. */
export interface Aggregation {
  inlineFrames: boolean;
  function: boolean;
  filename: boolean;
  linenumber: boolean;
  /** Columns too (-showcolumns); only with line numbers. */
  columnnumber?: boolean;
  address: boolean;
}

/**
 * The aggregation for a granularity: "addresses" with inline frames keeps
 * everything but columns, which newer google/pprof keeps only when asked
 * (-showcolumns) at line or address granularity.
 */
export function aggregationFor(granularity: Granularity, noInlines: boolean, showColumns = false): Aggregation {
  const inlineFrames = !noInlines;
  const columnnumber = showColumns;
  switch (granularity) {
    case "addresses":
      return { inlineFrames, function: true, filename: true, linenumber: true, columnnumber, address: true };
    case "lines":
      return { inlineFrames, function: true, filename: true, linenumber: true, columnnumber, address: false };
    case "files":
      return { inlineFrames, function: false, filename: true, linenumber: false, address: false };
    case "functions":
      return { inlineFrames, function: true, filename: false, linenumber: false, address: false };
    case "filefunctions":
      return { inlineFrames, function: true, filename: true, linenumber: false, address: false };
  }
}

export const keepAll: Aggregation = { inlineFrames: true, function: true, filename: true, linenumber: true, address: true };

export interface NodeInfoOptions {
  aggregation: Aggregation;
  /** Keep the mapping file and start line in every node (list, raw, callgrind). */
  objNames: boolean;
  /** Keep the function's system name. */
  origFnNames: boolean;
  /** Rewrites a function's file name before it is cleaned (trim_path). */
  mapFile?: (file: string) => string;
}

/** The frames of a location that survive aggregation, innermost first. */
export function aggregatedLines(l: Location, agg: Aggregation): readonly (Line | undefined)[] {
  if (l.line.length === 0) return [undefined];
  if (!agg.inlineFrames && l.line.length > 1) return [l.line[l.line.length - 1]];
  return l.line;
}

export function nodeInfo(l: Location, line: Line | undefined, o: NodeInfoOptions): NodeInfo {
  const agg = o.aggregation;
  const address = agg.address ? l.address : 0n;
  const objfile = l.mapping?.file ?? "";
  const fn = line?.function;
  if (!fn) return { name: "", origName: "", address, file: "", startLine: 0, lineno: 0, objfile };
  const name = agg.function ? fn.name : "";
  let file = agg.filename ? fn.filename : "";
  if (o.mapFile && file !== "") file = o.mapFile(file);
  const info: NodeInfo = {
    name,
    origName: o.origFnNames && agg.function ? fn.systemName : "",
    address,
    file: file !== "" ? cleanPath(file) : "",
    startLine: 0,
    lineno: agg.linenumber ? line.line : 0,
    objfile: "",
  };
  if (agg.linenumber && agg.columnnumber && line.column !== 0) info.columnno = line.column;
  if (o.objNames || (info.name === "" && info.origName === "")) {
    info.objfile = objfile;
    info.startLine = fn.startLine;
  }
  return info;
}

/** Go's filepath.Clean for slash-separated paths. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}
