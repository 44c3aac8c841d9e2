// Short function names for graph labels: package paths, Java packages and C++
// namespaces dropped ("github.com/x/y.(*T).M" → "y.(*T).M").

const javaRegExp = /^(?:[a-z]\w*\.)*([A-Z][\w$]*\.(?:<init>|[a-z][\w$]*(?:\$\d+)?))(?:(?:\()|$)/;
const goRegExp = /^(?:[\w\-.]+\/)+(.+)/;
const goVerRegExp = /^(.*?)\/v(?:[2-9]|[1-9][0-9]+)([./].*)$/;
const cppRegExp = /^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)/;
const cppAnonymousPrefixRegExp = /^\(anonymous namespace\)::/;

export function shortenFunctionName(f: string): string {
  f = f.replace(cppAnonymousPrefixRegExp, "");
  f = f.replace(goVerRegExp, "$1$2");
  for (const re of [goRegExp, javaRegExp, cppRegExp]) {
    const m = re.exec(f);
    if (m && m.length >= 2) return m.slice(1).map((s) => s ?? "").join("");
  }
  return f;
}

/** Longest name a graph shows whole (go tool pprof shows every name whole: real ones are far shorter). */
export const MAX_GRAPH_NAME = 1024;

/**
 * A name of at most MAX_GRAPH_NAME characters: a longer one keeps its start
 * and end around "…", so that a profile with megabyte-long names still lays
 * out in moments (-svg took 25 s with five 1 MB names) and its graph stays small.
 */
export function elideName(name: string): string {
  if (name.length <= MAX_GRAPH_NAME) return name;
  const half = (MAX_GRAPH_NAME - 1) >> 1;
  let head = name.slice(0, half), tail = name.slice(name.length - half);
  // Not between the halves of a surrogate pair.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  if (/^[\udc00-\udfff]/.test(tail)) tail = tail.slice(1);
  return `${head}…${tail}`;
}
