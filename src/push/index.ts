// tsprof/push: continuous profiling pushed to a Pyroscope server (docs/push.md).

export { startPush } from "./session.js";
export type { PushSession } from "./session.js";
export type { PushOptions } from "./options.js";
export type { PushStats } from "./uploader.js";
