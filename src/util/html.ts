// Escaping for text placed in HTML and XML: one place for the pages of the
// HTTP index, the web UI, the flame graph and -weblist.

/** Text safe inside HTML and XML (content and quoted attributes). */
export function escapeHTML(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** JSON safe to place inside a <script> element. */
export function scriptJSON(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
