// Finding source files for `list`: google/pprof's search (trim_path, the
// source_path list, walking up from each directory), reading files from disk
// or, for code whose source map embeds it, from sourcesContent.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { ProfileData } from "../../profile/model.js";
import { dirname, isAbsolute, join } from "node:path";
import { baseName } from "../graph/types.js";
import type { SourceReaderLike } from "./options.js";

/** Strips a build prefix from a file name: a source_path directory's name, a trim_path entry, or /proc/self/cwd/. */
export function trimSourcePath(path: string, trimPath: string, searchPath: string): string {
  if (trimPath === "") {
    for (const dir of splitList(searchPath)) {
      const want = "/" + baseName(dir) + "/";
      const found = path.indexOf(want);
      if (found !== -1) return path.slice(found + want.length);
    }
  }
  for (let t of [...splitList(trimPath), "/proc/self/cwd/./", "/proc/self/cwd/"]) {
    if (!t.endsWith("/")) t += "/";
    if (path.startsWith(t)) return path.slice(t.length);
  }
  return path;
}

function splitList(s: string): string[] {
  return s === "" ? [] : s.split(":");
}

/** Opens `path` as google/pprof does: absolute as is, relative searched in each search directory and its parents. */
function resolveSource(path: string, searchPath: string, trimPath: string, exists: (p: string) => boolean): string {
  path = trimSourcePath(path, trimPath, searchPath);
  if (isAbsolute(path)) return path;
  for (let dir of splitList(searchPath)) {
    for (;;) {
      const candidate = join(dir, path);
      if (exists(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`could not find file ${path} on path ${searchPath}`);
}

/**
 * Reads source from disk. `embedded` maps file names to contents known
 * without the disk (sources embedded in source maps); they win over disk.
 */
export class DiskSourceReader implements SourceReaderLike {
  private readonly cache = new Map<string, string[] | Error>();

  private embeddedMap: ReadonlyMap<string, string> | undefined;

  /** `embedded` may be a function: it is then called once, when a file is first missing from disk. */
  constructor(private readonly searchPath: string, private readonly trimPath: string, private readonly embedded: ReadonlyMap<string, string> | (() => ReadonlyMap<string, string>) = new Map()) {}

  lines(path: string): string[] {
    let entry = this.cache.get(path);
    if (!entry) {
      entry = this.load(path);
      this.cache.set(path, entry);
    }
    if (entry instanceof Error) throw entry;
    return entry;
  }

  private load(path: string): string[] | Error {
    let failure: Error;
    try {
      const resolved = resolveSource(path, this.searchPath, this.trimPath, existsSync);
      return splitLines(readFileSync(resolved, "utf8"));
    } catch (e) {
      failure = e instanceof Error && (e as NodeJS.ErrnoException).code === "ENOENT"
        ? new Error(`open ${trimSourcePath(path, this.trimPath, this.searchPath)}: no such file or directory`)
        : e instanceof Error ? e : new Error(String(e));
    }
    // Not on disk: a source map may still carry it.
    this.embeddedMap ??= typeof this.embedded === "function" ? this.embedded() : this.embedded;
    const inline = this.embeddedMap.get(path);
    return inline !== undefined ? splitLines(inline) : failure;
  }
}

/** Lines as bufio.Scanner yields them: split on \n, a trailing \r dropped, no empty last line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

/**
 * Sources embedded in source maps next to the profile's files: for each
 * generated file named in `files` with a `//# sourceMappingURL` (inline or a
 * .map file), every `sources[i]` with `sourcesContent[i]`, keyed by the
 * source's absolute path.
 */
export function embeddedSources(files: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const m = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text);
    if (!m) continue;
    try {
      const url = m[1]!;
      let json: string;
      let base = dirname(file);
      if (url.startsWith("data:")) {
        const comma = url.indexOf(",");
        const meta = url.slice(0, comma);
        json = meta.endsWith(";base64") ? Buffer.from(url.slice(comma + 1), "base64").toString("utf8") : decodeURIComponent(url.slice(comma + 1));
      } else {
        const mapPath = join(base, url);
        json = readFileSync(mapPath, "utf8");
        base = dirname(mapPath);
      }
      const map = JSON.parse(json) as { sources?: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      map.sources?.forEach((src, i) => {
        const content = map.sourcesContent?.[i];
        if (typeof content !== "string") return;
        const s = src.replace(/^file:\/\//, "");
        out.set(isAbsolute(s) ? s : join(base, map.sourceRoot ?? "", s), content);
      });
    } catch {
      // A broken map only means no embedded source for this file.
    }
  }
  return out;
}

const generatedFile = /\.(?:js|mjs|cjs)$/;

/**
 * Sources embedded in the source maps of the profile's JavaScript files: the
 * mapping files (a tsprof profile names its entry script there), every
 * .js/.mjs/.cjs file the profile names, and their directory neighbours.
 * Lets `list` show TypeScript sources that exist only inside a build's maps.
 */
export function embeddedSourcesNear(profile: ProfileData, maxFiles = 500): Map<string, string> {
  const named = new Set<string>();
  for (const m of profile.mapping) if (generatedFile.test(m.file)) named.add(m.file);
  for (const f of profile.function) if (generatedFile.test(f.filename) && isAbsolute(f.filename)) named.add(f.filename);
  const files = new Set<string>();
  for (const file of named) {
    if (files.size >= maxFiles) break;
    files.add(file);
    let entries: string[];
    try {
      entries = readdirSync(dirname(file));
    } catch {
      continue;
    }
    for (const e of entries) {
      if (files.size >= maxFiles) break;
      if (generatedFile.test(e)) files.add(join(dirname(file), e));
    }
  }
  return embeddedSources(files);
}
