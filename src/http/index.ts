// tsprof/http: the /debug/pprof/ endpoints (Go's net/http/pprof).
export {};
