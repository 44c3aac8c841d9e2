// A call on this thread's own inspector session. A session connected to its
// own thread answers before post() returns, so the collectors can drive V8's
// profilers synchronously (which the exit path needs).

import type { Session } from "node:inspector";

export function postSync<T = unknown>(session: Session, method: string, params: object = {}): T {
  let error: Error | null = null;
  let result: T | undefined;
  let answered = false;
  session.post(method, params, (err, res) => {
    error = err;
    result = res as T;
    answered = true;
  });
  if (!answered) throw new Error(`tsprof: inspector did not answer ${method} synchronously`);
  if (error) throw error;
  return result as T;
}
