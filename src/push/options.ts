// The push session's settings: named as @pyroscope/nodejs names the same
// ones (appName, serverAddress, tags, authToken, basicAuthUser,
// basicAuthPassword, tenantID, flushIntervalMs), checked up front with
// specific errors, and resolved to what the uploads need.

export interface PushOptions {
  /** The Pyroscope server, e.g. "http://localhost:4040"; uploads go to its /ingest. Basic-auth credentials may be in the URL. */
  serverAddress: string;
  /** The application name (the series' service_name). Default: the main script's name without extension, or "node". */
  appName?: string;
  /** Static tags added to every upload's name, e.g. { env: "prod", region: "eu-west-1" }. */
  tags?: Record<string, string | number>;
  /** Sent as `Authorization: Bearer TOKEN` (wins over basic auth, as in the SDK). */
  authToken?: string;
  basicAuthUser?: string;
  basicAuthPassword?: string;
  /** Sent as the `X-Scope-OrgID` header (Pyroscope's multi-tenancy). */
  tenantID?: string;
  /** The window (and upload) period in ms. Default 15000. */
  flushIntervalMs?: number;
  /** Which profiles to push. Default both: "cpu" (CPU time of each window) and "heap" (allocations of the window, memory in use at its end). */
  profiles?: ReadonlyArray<"cpu" | "heap">;
  /** The CPU sampling rate in Hz. Default 100. */
  cpuProfileRate?: number;
  /** Time-out of each upload request, ms. Default 10000. */
  timeoutMs?: number;
  /** How many uploads wait while the server is down or slow, the oldest dropped beyond it. Default 16. */
  maxQueue?: number;
  /** Bound on the queued bytes, the oldest dropped beyond it. Default 16 MiB. */
  maxQueueBytes?: number;
  /** How long the final flush (stop(), normal exit, process.exit, a signal under tsprof run) may take, ms. Default 5000. */
  flushTimeoutMs?: number;
  /** Where the one warning line goes. Default: process.stderr. */
  onWarning?: (line: string) => void;
}

export interface ResolvedPushOptions {
  ingestUrl: URL;
  /** The `name` query parameter: APP{tags}. */
  name: string;
  headers: Record<string, string>;
  periodMs: number;
  cpu: boolean;
  heap: boolean;
  cpuHz: number;
  timeoutMs: number;
  maxQueue: number;
  maxQueueBytes: number;
  flushTimeoutMs: number;
  warn: (line: string) => void;
}

const INVALID = /[{},=]/;

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new RangeError(`tsprof push: ${name} must be a positive number, got ${String(value)}`);
  return value;
}

function text(name: string, value: unknown): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new TypeError(`tsprof push: ${name} must be a string, got ${typeof value}`);
  return value;
}

/** The main script's name without its extension, as the default application name. */
function defaultAppName(): string {
  const main = process.argv[1];
  const base = main ? main.split(/[\\/]/).pop()!.replace(/\.[cm]?[jt]sx?$/, "") : "";
  return base && !INVALID.test(base) ? base : "node";
}

/**
 * The tags every upload carries before the user's: the runtime, as the
 * SDK's, and the library that produced the profile (tsprof, where the SDK
 * names itself). A user tag of the same key replaces one.
 */
function builtinTags(version: string): Record<string, string> {
  return {
    "otel.scope.name": "tsprof",
    "otel.scope.version": version,
    "process.runtime.name": "nodejs",
    "process.runtime.version": process.versions.node,
  };
}

export function resolvePushOptions(o: PushOptions, version: string): ResolvedPushOptions {
  if (!o || typeof o !== "object") throw new TypeError("tsprof push: options must be an object");
  const address = text("serverAddress", o.serverAddress);
  if (!address) throw new TypeError("tsprof push: serverAddress is required, e.g. http://localhost:4040");
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(`tsprof push: serverAddress ${JSON.stringify(address)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`tsprof push: serverAddress must be http: or https:, got ${url.protocol}`);
  let basicUser = text("basicAuthUser", o.basicAuthUser);
  let basicPassword = text("basicAuthPassword", o.basicAuthPassword);
  if (url.username && !basicUser) {
    basicUser = decodeURIComponent(url.username);
    basicPassword = decodeURIComponent(url.password);
  }
  url.username = "";
  url.password = "";
  url.pathname = url.pathname.replace(/\/+$/, "") + "/ingest";
  url.search = "";
  url.hash = "";

  const appName = text("appName", o.appName) ?? defaultAppName();
  if (INVALID.test(appName)) throw new TypeError(`tsprof push: appName ${JSON.stringify(appName)} must not contain '{', '}', ',' or '='`);
  const tags: Record<string, string> = {};
  if (o.tags !== undefined) {
    if (!o.tags || typeof o.tags !== "object") throw new TypeError("tsprof push: tags must be an object of strings or numbers");
    for (const [k, v] of Object.entries(o.tags)) {
      if (typeof v !== "string" && typeof v !== "number") throw new TypeError(`tsprof push: tag ${JSON.stringify(k)} must be a string or number, got ${typeof v}`);
      if (k === "" || INVALID.test(k) || INVALID.test(String(v))) throw new TypeError(`tsprof push: tag ${k}=${v} must not be empty nor contain '{', '}', ',' or '='`);
      tags[k] = String(v);
    }
  }
  const builtin = Object.entries(builtinTags(version)).filter(([k]) => !(k in tags));
  const name = `${appName}{${[...builtin, ...Object.entries(tags)].map(([k, v]) => `${k}=${v}`).join(",")}}`;

  const headers: Record<string, string> = {};
  const token = text("authToken", o.authToken);
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  else if (basicUser) headers.authorization = `Basic ${Buffer.from(`${basicUser}:${basicPassword ?? ""}`).toString("base64")}`;
  const tenant = text("tenantID", o.tenantID);
  if (tenant !== undefined) headers["x-scope-orgid"] = tenant;

  const profiles = o.profiles ?? ["cpu", "heap"];
  if (!Array.isArray(profiles) || profiles.length === 0 || profiles.some((p) => p !== "cpu" && p !== "heap")) {
    throw new TypeError(`tsprof push: profiles must list "cpu" and/or "heap", got ${JSON.stringify(profiles)}`);
  }
  const warn = o.onWarning ?? ((line: string) => void process.stderr.write(line + "\n"));
  if (typeof warn !== "function") throw new TypeError("tsprof push: onWarning must be a function");
  return {
    ingestUrl: url,
    name,
    headers,
    periodMs: positive("flushIntervalMs", o.flushIntervalMs, 15_000),
    cpu: profiles.includes("cpu"),
    heap: profiles.includes("heap"),
    cpuHz: positive("cpuProfileRate", o.cpuProfileRate, 100),
    timeoutMs: positive("timeoutMs", o.timeoutMs, 10_000),
    maxQueue: Math.floor(positive("maxQueue", o.maxQueue, 16)),
    maxQueueBytes: positive("maxQueueBytes", o.maxQueueBytes, 16 << 20),
    flushTimeoutMs: positive("flushTimeoutMs", o.flushTimeoutMs, 5_000),
    warn,
  };
}
