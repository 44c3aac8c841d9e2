// go tool pprof's symbolizer ends with demangling every function name; for a
// name that is not mangled it applies a heuristic: a name that looks like
// demangled C++ (it has <, >, [, ] or ::) loses its (...) and <...> groups,
// as with the default -symbolize=demangle mode (no parameters, no template
// parameters). Doing the same here keeps every report equal to Go's, e.g.
// V8's "<instance_members_initializer>" becomes "" (shown as [file]) there
// too. Mangled C++ names (_Z…) are not demangled: JavaScript has none.

import type { ProfileData } from "../../profile/model.js";

export function demangleFunctionNames(p: ProfileData): ProfileData {
  for (const fn of p.function) {
    if (fn.name !== "" && fn.systemName !== fn.name) continue; // already demangled
    let name = fn.systemName;
    if (looksLikeDemangledCPlusPlus(name)) name = removeMatching(removeMatching(name, "(", ")"), "<", ">");
    fn.name = name;
  }
  return p;
}

function looksLikeDemangledCPlusPlus(name: string): boolean {
  if (name.includes(".<")) return false; // Java's "class.<init>"
  return /[<>[\]]/.test(name) || name.includes("::");
}

/**
 * Removes the outermost start..end groups (nested ones with them); an
 * unmatched end leaves the rest of the name as it is. In one pass (cutting
 * the string at each group took minutes on a 300 kB name of "()" pairs).
 */
function removeMatching(name: string, start: string, end: string): string {
  let nesting = 0;
  let first = 0;
  // name[from..] is not yet copied into kept.
  const kept: string[] = [];
  let from = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === start) {
      if (++nesting === 1) first = i;
    } else if (c === end) {
      nesting--;
      if (nesting < 0) break;
      if (nesting === 0) {
        kept.push(name.slice(from, first));
        from = i + 1;
      }
    }
  }
  if (from === 0) return name;
  kept.push(name.slice(from));
  return kept.join("");
}
