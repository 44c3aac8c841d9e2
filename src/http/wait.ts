// Waiting out a profile's duration while watching the client: a client that
// disconnects ends the wait at once, so the profile stops and its memory is
// freed instead of being collected for nobody.

import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Resolves true after `ms`, or false as soon as the connection closes. For
 * the duration, a socket idle timeout set by the host server is extended by
 * `ms` (Go 1.23 extends the write deadline the same way), so a long profile
 * is not cut by it.
 */
export function waitOrDisconnect(req: IncomingMessage, res: ServerResponse, ms: number): Promise<boolean> {
  if (clientGone(req, res)) return Promise.resolve(false);
  const socket = req.socket;
  const idleTimeout = socket.timeout ?? 0;
  if (idleTimeout > 0) socket.setTimeout(idleTimeout + ms);
  return new Promise((resolve) => {
    const finish = (completed: boolean) => {
      clearTimeout(timer);
      res.off("close", onClose);
      if (idleTimeout > 0 && !socket.destroyed) socket.setTimeout(idleTimeout);
      resolve(completed);
    };
    const onClose = () => finish(false);
    const timer = setTimeout(() => finish(true), ms);
    // 'close' on the response fires when the connection goes away before it was sent.
    res.once("close", onClose);
  });
}

export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded || req.socket?.destroyed === true;
}
