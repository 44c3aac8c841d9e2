// Stack pruning, as google/pprof: prune_from (drop the frames below a match)
// and the profile's own drop_frames/keep_frames (RemoveUninteresting).

import type { Location, ProfileData } from "../../profile/model.js";
import { compileRE2, type NameRegexp } from "./regexp.js";

const reservedNames = ["(anonymous namespace)", "operator()"];

/** A C++-style name without its argument list ("f(int)" → "f"), as pprof simplifies before pruning. */
export function simplifyFunc(name: string): string {
  const f = name.startsWith(".") ? name.slice(1) : name;
  let from = 0;
  for (;;) {
    const i = f.indexOf("(", from);
    if (i < 0) return f;
    const reserved = reservedNames.find((r) => f.startsWith(r, i));
    if (!reserved) return f.slice(0, i);
    from = i + reserved.length;
  }
}

/** prune_from: in each stack, removes every frame below (called by) the first frame matching `re`. */
export function pruneFrom(p: ProfileData, re: NameRegexp): void {
  const beneath = new Set<Location>();
  for (const loc of p.location) {
    for (let i = 0; i < loc.line.length; i++) {
      const fn = loc.line[i]!.function;
      if (fn.name !== "" && re.test(simplifyFunc(fn.name))) {
        beneath.add(loc);
        loc.line = loc.line.slice(i);
        break;
      }
    }
  }
  for (const s of p.sample) {
    const i = s.location.findIndex((l) => beneath.has(l));
    if (i > 0) s.location = s.location.slice(i);
  }
}

/** Applies the profile's drop_frames/keep_frames regexps (fully matching function names). */
export function removeUninteresting(p: ProfileData): void {
  if (p.dropFrames === "") return;
  // RE2, as Go's: a hostile profile's pattern such as `(a+)+$` takes linear time.
  let drop: NameRegexp;
  let keep: NameRegexp | undefined;
  try {
    drop = compileRE2(`^(${p.dropFrames})$`);
    keep = p.keepFrames !== "" ? compileRE2(`^(${p.keepFrames})$`) : undefined;
  } catch {
    return; // Go ignores the error here too (the profile stays as it is).
  }
  const prune = new Set<Location>();
  const beneath = new Set<Location>();
  for (const loc of p.location) {
    let i = loc.line.length - 1;
    for (; i >= 0; i--) {
      const fn = loc.line[i]!.function;
      if (fn.name === "") continue;
      const name = simplifyFunc(fn.name);
      if (drop.test(name) && !(keep && keep.test(name))) break;
    }
    if (i >= 0) {
      beneath.add(loc);
      if (i === loc.line.length - 1) prune.add(loc);
      else loc.line = loc.line.slice(i + 1);
    }
  }
  for (const s of p.sample) {
    // From the root down; frames before the first user frame are kept so
    // that not everything is pruned.
    let foundUser = false;
    for (let i = s.location.length - 1; i >= 0; i--) {
      const l = s.location[i]!;
      if (!prune.has(l) && !beneath.has(l)) {
        foundUser = true;
        continue;
      }
      if (!foundUser) continue;
      s.location = prune.has(l) ? s.location.slice(i + 1) : s.location.slice(i);
      break;
    }
  }
}
