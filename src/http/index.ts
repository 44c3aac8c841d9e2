// tsprof/http: the /debug/pprof/ endpoints (Go's net/http/pprof).
export { withRequestLabels, labelRequests, fastifyRequestLabels, defaultRoute } from "./labels.js";
export type { RequestLabelOptions } from "./labels.js";
