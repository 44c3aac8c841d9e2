// tsprof/http: the /debug/pprof/ endpoints (Go's net/http/pprof).
export { handler, PREFIX } from "./handler.js";
export type { PprofHandler } from "./handler.js";
export { fastifyPprof } from "./fastify.js";
export { listen } from "./listen.js";
export type { ListenOptions } from "./listen.js";
export type { HandlerOptions } from "./options.js";
export { DEFAULT_TRACE_CATEGORIES, DEFAULT_MAX_SECONDS } from "./options.js";
export { withRequestLabels, labelRequests, fastifyRequestLabels, defaultRoute } from "./labels.js";
export type { RequestLabelOptions } from "./labels.js";
