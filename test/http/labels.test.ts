import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { label } from "../../src/collect/labels.ts";
import { withRequestLabels, labelRequests, fastifyRequestLabels, defaultRoute } from "../../src/http/labels.ts";

async function fetchText(port: number, path: string, method = "GET"): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return res.text();
}

const seenLabels = async () => {
  await new Promise((r) => setTimeout(r, 1));
  return `${label("method")} ${label("route")}`;
};

test("defaultRoute drops the query and folds identifier segments", () => {
  assert.equal(defaultRoute("/users/42/orders?x=1"), "/users/:id/orders");
  assert.equal(defaultRoute("/a/3f2b1c4e-aaaa-bbbb-cccc-0123456789ab"), "/a/:id");
  assert.equal(defaultRoute("/assets/deadbeefdeadbeef01/app.js"), "/assets/:id/app.js");
  assert.equal(defaultRoute("/checkout"), "/checkout");
  assert.equal(defaultRoute(undefined), "/");
});

test("node:http: withRequestLabels labels each request with method and route", async () => {
  const server: Server = createServer(withRequestLabels(async (_req, res) => res.end(await seenLabels())));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  try {
    assert.equal(await fetchText(port, "/users/7?x=1"), "GET /users/:id");
    assert.equal(await fetchText(port, "/checkout", "POST"), "POST /checkout");
  } finally {
    server.close();
  }
});

test("Express: labelRequests middleware, with a custom route and extra labels", async () => {
  const app = express();
  app.use(labelRequests({ extra: (req) => ({ tenant: String(req.headers["x-tenant"] ?? "none") }) }));
  app.get("/items/:id", async (_req, res) => {
    const seen = await seenLabels();
    res.send(`${seen} ${label("tenant")}`);
  });
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  try {
    assert.equal(await fetchText(port, "/items/99"), "GET /items/:id none");
  } finally {
    server.close();
  }
});

test("Fastify: the plugin labels with the matched route pattern", async () => {
  const app = Fastify();
  await app.register(fastifyRequestLabels);
  app.get("/orders/:orderId", async () => seenLabels());
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  try {
    assert.equal(await fetchText(port, "/orders/abc"), "GET /orders/:orderId");
  } finally {
    await app.close();
  }
});
