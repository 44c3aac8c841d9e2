// The HTML index of /debug/pprof/: every profile of the registry (custom ones
// too) with its count and description, plus the endpoints served here.

import { profiles } from "../registry/profile.js";
import { escapeHTML } from "../util/html.js";

/** What each profile means in Node.js; custom profiles have no description, as in Go. */
const DESCRIPTIONS: Record<string, string> = {
  allocs: "A sampling of all past memory allocations.",
  block: "Stack traces where the event loop was blocked in synchronous waits (fs.*Sync, child_process.*Sync, zlib and crypto sync calls, Atomics.wait).",
  cmdline: "The command line invocation of the current program.",
  goroutine:
    "The live asynchronous resources (timers, sockets, servers, requests, child processes, workers...): what the process is waiting on. Each one's kind, and the stack that created it when resource tracking is on. Use debug=2 as a query parameter for a dump of every one.",
  heap: "A sampling of memory allocations of live objects. You can specify the gc GET parameter to run a garbage collection before taking the heap sample.",
  mutex: "The event loop is Node's one lock: callbacks that held it long enough to delay the work queued behind them.",
  profile:
    "CPU profile of every thread. You can specify the duration in the seconds GET parameter (default 30). Read it with go tool pprof or tsprof pprof.",
  threadcreate: "Stack traces that led to the creation of worker threads.",
  trace:
    "A trace of the event loop (its phases, every callback, garbage collections) in Chrome trace event JSON, for Perfetto or chrome://tracing. You can specify the duration in the seconds GET parameter (default 1).",
};

interface Entry {
  name: string;
  /** Registry profiles link to their text form; the endpoints of this package to themselves. */
  query: string;
  count: string;
  description: string;
}

function entries(): Entry[] {
  const list: Entry[] = profiles().map((p) => ({ name: p.name(), count: countOf(() => p.count()), query: "?debug=1", description: DESCRIPTIONS[p.name()] ?? "" }));
  for (const name of ["cmdline", "profile", "trace"]) list.push({ name, count: "0", query: "", description: DESCRIPTIONS[name]! });
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function countOf(count: () => number): string {
  try {
    return String(count());
  } catch {
    return "?"; // A collector that fails to count must not take the index down.
  }
}

/**
 * A link relative to the index: path segments escaped, "/" kept (custom names
 * may hold it), "./" first so a name like "a:b" is not read as a URL scheme.
 */
function href(e: Entry): string {
  return escapeHTML("./" + e.name.split("/").map(encodeURIComponent).join("/") + e.query);
}

export function indexPage(): string {
  const list = entries();
  const rows = list
    .map((e) => `<tr><td class=count>${e.count}</td><td><a href='${href(e)}'>${escapeHTML(e.name)}</a></td><td>${escapeHTML(e.description)}</td></tr>\n`)
    .join("");
  const dump = list.some((e) => e.name === "goroutine") ? `<p><a href="goroutine?debug=2">Every asynchronous resource, one by one (goroutine?debug=2)</a></p>\n` : "";
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>/debug/pprof/</title>
<style>
td{padding:2px 8px;vertical-align:top}
td.count{text-align:right}
</style>
</head>
<body>
<h1>/debug/pprof/</h1>
<p>The links show each profile as text (debug=1); without the query a profile is a pprof file for go tool pprof or tsprof pprof.</p>
<table>
<thead><tr><td>Count</td><td>Profile</td><td>Description</td></tr></thead>
${rows}</table>
${dump}</body>
</html>
`;
}
