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
