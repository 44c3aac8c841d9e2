// Fetching every SOURCE and base as go tool pprof does: concurrently; a
// source that fails is reported and skipped when others succeed; sources are
// merged (even one alone, except for reports that cannot tell), the base
// negated and merged in; then the profile's drop_frames/keep_frames and
// -add_comment apply.

import type { ProfileData } from "../../profile/model.js";
import { IncompatibleProfilesError } from "../../profile/merge.js";
import { combineSources, removeUninteresting, withoutZeroSamples, type Warn } from "../filter/index.js";
import { fetchSource, isURL, saveFetchedProfile, SourceError } from "../source/index.js";
import type { Invocation } from "./flags.js";

export class LoadError extends Error {
  override name = "LoadError";
}

async function grab(addrs: string[], inv: Invocation, warn: Warn): Promise<{ profiles: ProfileData[]; errors: string[] }> {
  const results = await Promise.allSettled(addrs.map((a) => fetchSource(a, { seconds: inv.seconds, timeout: inv.timeout, note: warn })));
  const profiles: ProfileData[] = [];
  const errors: string[] = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") profiles.push(r.value);
    else errors.push(`${addrs[i]}: ${messageOf(r.reason)}`);
  });
  return { profiles, errors };
}

function messageOf(err: unknown): string {
  if (err instanceof SourceError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export interface Loaded {
  /** The sources merged, with the base subtracted (what reports show). */
  profile: ProfileData;
  /** The sources merged, without the base (for the web UI's own diff view). */
  source: ProfileData;
  /** The bases merged, as loaded (not negated). */
  base: ProfileData | undefined;
  /**
   * Set when `profile` and `source` are one source as decoded rather than
   * merged (for the web UI, whose views cannot tell): the merged profile, as
   * go tool pprof holds it, made on first call (for its download).
   */
  merged?: () => ProfileData;
}

export async function loadProfiles(inv: Invocation, warn: Warn): Promise<Loaded> {
  const [src, bases] = await Promise.all([grab(inv.sources, inv, warn), grab(inv.base, inv, warn)]);
  const fail = (errors: string[], what: string): never => {
    // One source alone: its own error is the whole story.
    throw new LoadError(errors.length === 1 ? errors[0]! : `${errors.join("; ")}: failed to fetch any ${what} profiles`);
  };
  if (src.profiles.length === 0) fail(src.errors, "source");
  if (inv.base.length > 0 && bases.profiles.length === 0) fail(bases.errors, "base");
  for (const e of [...src.errors, ...bases.errors]) warn(e);
  if (src.errors.length > 0) warn(`Fetched ${src.profiles.length} source profiles out of ${inv.sources.length}`);
  if (bases.errors.length > 0) warn(`Fetched ${bases.profiles.length} base profiles out of ${inv.base.length}`);
  try {
    if (webCanSkipMerge(inv, src.profiles)) return unmergedForWeb(src.profiles[0]!, inv);
    const source = src.profiles.length === 1 && inv.base.length === 0 && singleSourceIsEnough(inv)
      ? withoutZeroSamples(src.profiles[0]!)
      : combineSources(src.profiles);
    let profile = source;
    let base: ProfileData | undefined;
    if (bases.profiles.length > 0) {
      base = combineSources(bases.profiles);
      // combineSources changes the base it subtracts: give it a copy.
      profile = combineSources([source], { base: combineSources([base]), diffBase: inv.diffBase, normalize: inv.config.normalize });
    }
    removeUninteresting(profile);
    if (inv.addComment !== "") profile.comments.push(inv.addComment);
    if ([...inv.sources, ...inv.base].some(isURL)) saveFetchedProfile(profile, warn);
    return { profile, source, base };
  } catch (err) {
    if (err instanceof IncompatibleProfilesError) throw new LoadError(err.message);
    throw err;
  }
}

/**
 * Reports whose output cannot tell a merged profile from the decoded one
 * (they aggregate samples by frame name or label). -raw, -traces, -proto,
 * -comments, the shell and the web UI get the merged profile, as Go's.
 */
const mergeInsensitive = new Set([
  "top", "text", "topproto", "tree", "peek", "dot", "svg", "gif", "pdf", "png", "ps", "web", "eog", "evince", "gv",
  "callgrind", "kcachegrind", "list", "weblist", "tags", "flamegraph",
]);

function singleSourceIsEnough(inv: Invocation): boolean {
  return inv.command !== undefined && mergeInsensitive.has(inv.command.name);
}

/**
 * The web UI with one local source, no base and no drop_frames: its views
 * (graph, flame graph, top, peek, source) aggregate by frame name or label, as
 * the reports above, so they are made from the decoded profile; merging it,
 * as go tool pprof does, costs more than the first view of a large profile
 * and only shows in the profile it downloads, so that waits for a download.
 */
function webCanSkipMerge(inv: Invocation, profiles: ProfileData[]): boolean {
  return inv.http !== "" && profiles.length === 1 && inv.base.length === 0 && profiles[0]!.dropFrames === "" && !inv.sources.some(isURL);
}

function unmergedForWeb(decoded: ProfileData, inv: Invocation): Loaded {
  // Merging drops all-zero samples first and keeps the comments once each: done on what was decoded, then -add_comment, as above.
  const comments = decoded.comments.slice();
  const profile = withoutZeroSamples(decoded);
  if (inv.addComment !== "") profile.comments.push(inv.addComment);
  let merged: ProfileData | undefined;
  return {
    profile,
    source: profile,
    base: undefined,
    merged: () => {
      if (!merged) {
        merged = combineSources([{ ...profile, comments }]);
        if (inv.addComment !== "") merged.comments.push(inv.addComment);
      }
      return merged;
    },
  };
}
