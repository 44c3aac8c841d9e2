import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { labels, runWithLabels, label, forLabels, setGoroutineLabels, currentLabels } from "../../src/collect/labels.ts";

test("labels() sorts by key and keeps the last value of a repeated key", () => {
  const set = labels("z", "1", "a", "2", "z", "3");
  assert.deepEqual(Object.entries(set), [["a", "2"], ["z", "3"]]);
  assert.ok(Object.isFrozen(set));
  assert.throws(() => labels("a"), /uneven number of arguments to pprof.Labels/);
  assert.throws(() => labels("a", 1 as unknown as string), /must be strings/);
});

test("nested runWithLabels adds to and overrides outer labels, and they are gone after", () => {
  assert.equal(label("job"), undefined);
  const result = runWithLabels(labels("job", "outer", "tenant", "t1"), () => {
    assert.equal(label("job"), "outer");
    const inner = runWithLabels(labels("job", "inner", "step", "2"), () => {
      const seen: string[] = [];
      forLabels((k, v) => (seen.push(`${k}=${v}`), true));
      assert.deepEqual(seen, ["job=inner", "step=2", "tenant=t1"]);
      return 42;
    });
    assert.equal(label("job"), "outer");
    assert.equal(label("step"), undefined);
    return inner;
  });
  assert.equal(result, 42);
  assert.equal(label("job"), undefined);
  assert.equal(currentLabels(), undefined);
});

test("forLabels stops when the callback returns false", () => {
  runWithLabels(labels("a", "1", "b", "2", "c", "3"), () => {
    const seen: string[] = [];
    forLabels((k) => (seen.push(k), k !== "b"));
    assert.deepEqual(seen, ["a", "b"]);
  });
});

test("labels follow setTimeout, setImmediate, promise chains and EventEmitter callbacks", async () => {
  const emitter = new EventEmitter();
  const seen = await runWithLabels(labels("req", "42"), async () => {
    const out: (string | undefined)[] = [];
    await new Promise<void>((resolve) => setTimeout(() => (out.push(label("req")), resolve()), 1));
    await new Promise<void>((resolve) => setImmediate(() => (out.push(label("req")), resolve())));
    out.push(await Promise.resolve().then(() => label("req")));
    // A listener registered inside runs with the labels of the emit's flow.
    emitter.on("ping", () => out.push(label("req")));
    setTimeout(() => emitter.emit("ping"), 1);
    await once(emitter, "ping");
    return out;
  });
  assert.deepEqual(seen, ["42", "42", "42", "42"]);
  assert.equal(label("req"), undefined);
});

test("async runWithLabels returns fn's result and the caller's labels are untouched", async () => {
  const value = await runWithLabels(labels("k", "v"), async () => {
    await new Promise((r) => setTimeout(r, 2));
    return label("k");
  });
  assert.equal(value, "v");
  assert.equal(label("k"), undefined);
});

test("setGoroutineLabels sets exactly the given set for the rest of the flow", async () => {
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      runWithLabels(labels("a", "1"), () => {
        setGoroutineLabels(labels("b", "2"));
        assert.equal(label("a"), undefined);
        assert.equal(label("b"), "2");
        setTimeout(() => {
          assert.equal(label("b"), "2");
          resolve();
        }, 1);
      });
    });
  });
});

test("labels survive node:http request handlers", async () => {
  const server = createServer((req, res) => {
    runWithLabels(labels("route", req.url ?? ""), () => {
      setTimeout(() => res.end(label("route")), 1);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  try {
    const bodies = await Promise.all(
      ["/a", "/b", "/c"].map(
        (path) =>
          new Promise<string>((resolve, reject) => {
            get({ host: "127.0.0.1", port, path }, (res) => {
              let body = "";
              res.on("data", (d) => (body += d));
              res.on("end", () => resolve(body));
            }).on("error", reject);
          }),
      ),
    );
    assert.deepEqual(bodies, ["/a", "/b", "/c"]);
  } finally {
    server.close();
  }
});

test("the recording timeline gives the labels in effect at any moment, across awaits and timers", async () => {
  const { startLabelRecording } = await import("../../src/collect/labels.ts");
  const rec = startLabelRecording();
  const probes: [number, string | undefined][] = [];
  const spin = (us: number) => {
    const end = process.hrtime.bigint() + BigInt(us * 1000);
    while (process.hrtime.bigint() < end);
  };
  // Probes sit in the middle of a short spin, so a label change is never within clock noise of one.
  const probe = () => {
    spin(100);
    probes.push([Number(process.hrtime.bigint() / 1000n), label("job")]);
    spin(100);
  };
  const worker = (job: string) =>
    runWithLabels(labels("job", job), async () => {
      for (let i = 0; i < 20; i++) {
        probe();
        if (i % 3 === 0) await new Promise((r) => setTimeout(r, 0));
        else if (i % 3 === 1) await new Promise((r) => setImmediate(r));
        else await Promise.resolve();
        probe();
      }
    });
  await Promise.all([worker("a"), worker("b"), worker("c")]);
  probe();
  rec.stop();
  assert.ok(probes.length > 100);
  let mismatches = 0;
  for (const [t, expected] of probes) if (rec.labelsAt(t)?.job !== expected) mismatches++;
  assert.equal(mismatches, 0);
  assert.equal(probes.at(-1)![1], undefined);
});
