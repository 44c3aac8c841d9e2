// What one page shows: the options in its URL (sample index and the refine
// regexps, as google/pprof's web UI encodes them: si, f, i, h, s, tf, ti, ts,
// th) applied to the server's Config, and the profile filtered by them.
// Filtered profiles (and flame trees) are cached per option set, so moving
// between views of one selection is cheap.

import type { FlameTree } from "../flame/index.js";
import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { noFilters, sampleIndexByName, type NameRegexp } from "../filter/index.js";
import type { ReportContext } from "../report/index.js";
import { computeTotal } from "../totals.js";
import { subtractBase, type BaseProfile } from "./combine.js";
import type { ProfileFilter } from "./filter.js";

/** URL parameter → Config field, for the options a page can change. */
export const refineParams = {
  f: "focus", i: "ignore", h: "hide", s: "show", tf: "tagFocus", ti: "tagIgnore", ts: "tagShow", th: "tagHide",
} as const;
export type RefineParam = keyof typeof refineParams;

export interface View {
  /** The page's options as URL parameters (only those set), to build links with. */
  query: URLSearchParams;
  config: Config;
  sampleIndex: number;
  /** The profile after -base/-diff_base and the filters. */
  profile: ProfileData;
  /** Percentages are relative to this: the total before filtering, as the text reports. */
  total: number;
  /** The Stacks view's pivot regexp (?p=), "" when not pivoting; not kept in links to other views. */
  pivot: string;
}

export class WebState {
  /** Source combined with the base, if any: what every view reports on. */
  readonly combined: ProfileData;
  private readonly filtered = new Map<string, ProfileData>();
  private readonly totals = new Map<string, number>();
  private readonly flameTrees = new Map<string, FlameTree>();

  constructor(
    readonly source: ProfileData,
    readonly base: BaseProfile | undefined,
    readonly config: Config,
    private readonly filter: ProfileFilter,
  ) {
    this.combined = base ? subtractBase(source, base) : source;
  }

  view(url: URL): View {
    const config: Config = { ...this.config };
    const query = new URLSearchParams();
    const si = url.searchParams.get("si");
    if (si !== null && si !== "") {
      config.sampleIndex = si;
      query.set("si", si);
    }
    for (const [p, field] of Object.entries(refineParams)) {
      const v = url.searchParams.get(p);
      if (v !== null && v !== "") {
        config[field] = v;
        query.set(p, v);
      }
    }
    const sampleIndex = sampleIndexByName(this.combined, config.sampleIndex);
    const profile = this.filtered_(this.combined, config, "c");
    // Computed when a view asks (the flame graph does not: it sums its own tree).
    let total: number | undefined;
    const totalOf = () => (config.relativePercentages ? computeTotal(profile, sampleIndex, config.mean) : this.total(this.combined, sampleIndex, config.mean, "c"));
    return {
      query, config, sampleIndex, profile,
      pivot: url.searchParams.get("p") ?? "",
      get total() {
        return (total ??= totalOf());
      },
    };
  }

  /** The flame graph of a view, kept for the few last option sets (a zoom asks for parts of it). */
  flameTree(view: View, make: () => FlameTree): FlameTree {
    const key = view.query.toString();
    let tree = this.flameTrees.get(key);
    if (!tree) {
      tree = make();
      if (this.flameTrees.size >= 4) this.flameTrees.delete(this.flameTrees.keys().next().value!);
      this.flameTrees.set(key, tree);
    }
    return tree;
  }

  /** The source and base alone, filtered as `view` (for the diff table). */
  parts(view: View): { source: ProfileData; base: ProfileData } | undefined {
    if (!this.base) return undefined;
    return { source: this.filtered_(this.source, view.config, "s"), base: this.filtered_(this.base.profile, view.config, "b") };
  }

  private filtered_(p: ProfileData, config: Config, which: string): ProfileData {
    const key = [which, ...Object.values(refineParams).map((field) => config[field])].join("\u0000");
    let out = this.filtered.get(key);
    if (!out) {
      // Filters copy the profile: skip them when there is nothing to filter.
      out = noFilters(config) ? p : this.filter(p, config);
      // Each is a copy of the profile: keep few.
      if (this.filtered.size >= 4) this.filtered.delete(this.filtered.keys().next().value!);
      this.filtered.set(key, out);
    }
    return out;
  }

  private total(p: ProfileData, si: number, mean: boolean, which: string): number {
    const key = `${which}/${si}/${mean}`;
    let t = this.totals.get(key);
    if (t === undefined) this.totals.set(key, (t = computeTotal(p, si, mean)));
    return t;
  }
}

export function reportContext(view: View, symbol?: NameRegexp): ReportContext {
  return { sampleIndex: view.sampleIndex, total: view.total, symbol };
}
