// Profile sources for the analyzer: files (pprof, V8 JSON) and URLs.
export { fetchSource, parseProfileBytes, isURL, profileURL, type FetchOptions } from "./fetch.js";
export { v8ProfileData, looksLikeJSON } from "./v8.js";
export { SourceError } from "./errors.js";
export { saveFetchedProfile } from "./save.js";
