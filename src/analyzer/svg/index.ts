// The call graph as SVG without a Graphviz binary: the DOT text of `-dot` laid
// out by Graphviz compiled to WebAssembly (@viz-js/viz). Loaded lazily, and
// only by the analyzer: the profiled process never imports it.

type Viz = Awaited<ReturnType<typeof import("@viz-js/viz").instance>>;

let vizPromise: Promise<Viz> | undefined;

function viz(): Promise<Viz> {
  vizPromise ??= import("@viz-js/viz").then((m) => m.instance());
  return vizPromise;
}

export class GraphRenderError extends Error {
  override name = "GraphRenderError";
}

/** Lays out DOT text (as printDot writes it) and returns a standalone SVG document. */
export async function renderGraphSVG(dotText: string): Promise<string> {
  const v = await viz();
  const result = v.render(dotText, { format: "svg", engine: "dot" });
  if (result.status !== "success" || result.output === undefined) {
    const why = result.errors.map((e) => e.message.trim()).filter((m) => m !== "").join("; ");
    throw new GraphRenderError(`could not lay out the call graph: ${why || "unknown Graphviz error"}`);
  }
  return result.output;
}

/** The <svg> element alone (no XML prolog, DOCTYPE or comments), for embedding in an HTML page. */
export function svgElement(svgDocument: string): string {
  const at = svgDocument.indexOf("<svg");
  return at >= 0 ? svgDocument.slice(at) : svgDocument;
}
