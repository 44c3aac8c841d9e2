// listen(): the endpoints on a server of their own, on loopback unless told
// otherwise (Go's `go http.ListenAndServe("localhost:6060", nil)`).

import { createServer, type Server } from "node:http";
import { handler } from "./handler.js";
import type { HandlerOptions } from "./options.js";

export interface ListenOptions extends HandlerOptions {
  /** Default 6060, the port Go's documentation uses; 0 picks a free one. */
  port?: number;
  /** Default "127.0.0.1": only this machine can connect. Binding elsewhere exposes the process; see the README. */
  host?: string;
  /**
   * Default true: the server does not keep the process alive by itself, as a
   * Go program ends with its debug server. false keeps it running.
   */
  unref?: boolean;
}

/** Starts the server; resolves once it listens (server.address() has the port), rejects if it cannot. */
export function listen(options: ListenOptions = {}): Promise<Server> {
  const { port = 6060, host = "127.0.0.1", unref = true, ...handlerOptions } = options;
  const server = createServer(handler(handlerOptions));
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      // An error after start (e.g. out of file descriptors on accept) must not crash the host.
      server.on("error", () => {});
      if (unref) server.unref();
      resolve(server);
    });
  });
}
