// A node:test reporter that writes only the failed tests, one block each: file,
// name and the first lines of the error. scripts/test.mjs runs it beside the
// spec reporter and prints what it wrote under the summary, so a CI log cut to
// its tail still says what failed, on which version.
export default async function* failures(source) {
  for await (const event of source) {
    if (event.type !== "test:fail") continue;
    const { name, file, line, details } = event.data;
    const error = details?.error;
    // A suite fails when one of its tests does; that test has its own block.
    if (error?.failureType === "subtestsFailed") continue;
    const cause = error?.cause ?? error;
    const message = String(cause?.message ?? cause ?? "failed").split("\n").filter((l) => l.trim() !== "").slice(0, 12).join("\n    ");
    yield `✖ ${name}\n    at ${file ?? "?"}${line ? `:${line}` : ""}\n    ${message}\n`;
  }
}
