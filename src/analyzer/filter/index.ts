// The analyzer's profile transforms before a report: name and label filters,
// pruning, sample index choice, source/base combination and aggregation.
// Shared by the command line, the interactive shell and the web UI.

export { applyFocus, compileFilters, noFilters, type Warn } from "./apply.js";
export { filterSamplesByName, showFrom, type NameFilters } from "./names.js";
export { compileTagFilter, filterSamplesByTag, filterTagsByName } from "./tags.js";
export { pruneFrom, removeUninteresting, simplifyFunc } from "./prune.js";
export { addLabelNodes, generateTagRootsLeaves } from "./tagroot.js";
export { sampleIndexByName } from "./sample-index.js";
export { combineSources, normalize, withoutZeroSamples, type BaseOptions } from "./combine.js";
export { FilterError, compileRegexp, compileRegexpOption, compileRE2, type NameRegexp } from "./regexp.js";
export { prepareReport, type PreparedReport } from "./prepare.js";
export { copyForFilters } from "./copy.js";
