// The Fastify plugin: `app.register(fastifyPprof, { prefix: "/debug/pprof" })`.

import type { IncomingMessage, ServerResponse } from "node:http";
import { handler } from "./handler.js";
import type { HandlerOptions } from "./options.js";

interface FastifyRequestLike {
  raw: IncomingMessage;
}
interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): void;
}
interface FastifyInstanceLike {
  all(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => void): unknown;
}

/**
 * Serves the endpoints under the prefix it is registered with (use
 * "/debug/pprof", which pprof tools expect). Fastify's own reply is bypassed
 * (hijacked): the endpoints write Go's exact responses to the raw response.
 */
export function fastifyPprof(fastify: FastifyInstanceLike, options: HandlerOptions & { prefix?: string }, done: (err?: Error) => void): void {
  let serve;
  try {
    serve = handler(options);
  } catch (err) {
    return done(err as Error);
  }
  const onRequest = (request: FastifyRequestLike, reply: FastifyReplyLike): void => {
    reply.hijack();
    void serve(request.raw, reply.raw);
  };
  fastify.all("/", onRequest);
  fastify.all("/*", onRequest);
  done();
}
