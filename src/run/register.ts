// tsprof/register: the preload that profiles a process started by `tsprof run`
// or by `node --import tsprof/register`, driven by environment variables.
export {};
