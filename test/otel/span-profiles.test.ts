// Span profiles (tsprof/otel) with the real OpenTelemetry SDK: an HTTP server
// whose concurrent requests each run in their own span; every CPU sample
// taken in a request's work carries that request's span id and trace id, and
// none another's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { NO_INLINING_FLAGS } from "../helpers/no-inlining.ts";

const fixture = fileURLToPath(new URL("./fixtures/span-server.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tsprof-spans-"));

interface WorkResult { k: number; spanId: string; traceId: string; childSpanId: string; seen: { spanId?: string; traceId?: string; route?: string } }
interface FinishedSpan { name: string; spanId: string; traceId: string; attributes: Record<string, unknown> }

/** Runs the server in mode, four concurrent requests of 1:2:3:4 CPU per step (twice), and returns what it saw. */
async function runServer(mode: "root" | "all"): Promise<{ results: WorkResult[]; spans: FinishedSpan[]; file: string; profile: ProfileData }> {
  const file = join(dir, `${mode}.pb.gz`);
  // Inlining off: work0..3 and child0..3 stay frames of their own in the samples.
  const child = spawn(process.execPath, [...NO_INLINING_FLAGS, "--import", "tsx", fixture, mode, file], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const [chunk] = await once(child.stdout, "data");
    const base = `http://127.0.0.1:${Number(String(chunk).trim())}`;
    const results: WorkResult[] = [];
    for (let round = 0; round < 2; round++) {
      const batch = await Promise.all([0, 1, 2, 3].map(async (k) => (await fetch(`${base}/work?k=${k}&steps=40`)).json() as Promise<WorkResult>));
      results.push(...batch);
    }
    const spans = (await (await fetch(`${base}/stop`)).json()) as FinishedSpan[];
    return { results, spans, file, profile: decodeProfile(gunzipSync(readFileSync(file))) };
  } finally {
    child.stdin.end();
    if (child.exitCode === null) await once(child, "exit");
  }
}

/** The request (k) and kind ("work" or "child") of the work function a sample was taken in, if any. */
function workOf(sample: ProfileData["sample"][number]): { k: number; kind: "work" | "child" } | undefined {
  for (const loc of sample.location) {
    for (const line of loc.line) {
      const m = /^(work|child)(\d)$/.exec(line.function.name);
      if (m) return { k: Number(m[2]), kind: m[1] as "work" | "child" };
    }
  }
  return undefined;
}

function check(mode: "root" | "all", run: Awaited<ReturnType<typeof runServer>>): void {
  const { results, spans, profile } = run;
  assert.equal(results.length, 8);
  // Inside the span, the labels are readable as any profiler label.
  for (const r of results) assert.deepEqual(r.seen, { spanId: r.spanId, traceId: r.traceId, route: "/work" });

  // Every sample taken in a request's work carries its span's ids; count them per request.
  const byId = new Map(results.flatMap((r) => [[r.spanId, r], [r.childSpanId, r]] as const));
  const wrong: string[] = [];
  const perK = [0, 0, 0, 0];
  let inWork = 0;
  for (const s of profile.sample) {
    const w = workOf(s);
    const spanId = s.label.span_id?.[0];
    const traceId = s.label.trace_id?.[0];
    if (!w) {
      // Outside the work functions a sample may be in a span or not, but a labelled one names a request's span.
      if (spanId !== undefined) assert.ok(byId.has(spanId), `a sample carries span_id ${spanId}, which is none of the requests' spans`);
      continue;
    }
    inWork += s.value[0]!;
    const r = results.find((x) => x.k === w.k && (x.spanId === spanId || x.childSpanId === spanId));
    const expected = r && (mode === "all" && w.kind === "child" ? r.childSpanId : r.spanId);
    if (!r || spanId !== expected || traceId !== r.traceId || s.label.route?.[0] !== "/work") {
      wrong.push(`${w.kind}${w.k}: span_id=${spanId} trace_id=${traceId} route=${s.label.route?.[0]} (${s.value[0]} samples)`);
    } else {
      perK[w.k]! += s.value[0]!;
    }
  }
  assert.ok(inWork >= 150, `${inWork} samples in the requests' work`);
  assert.deepEqual(wrong, [], `samples in a request's work without its span's labels, of ${inWork}`);
  // The requests' CPU shares follow their work, 1:2:3:4.
  for (let k = 0; k < 4; k++) {
    const share = (100 * perK[k]!) / inWork;
    assert.ok(Math.abs(share - (10 * (k + 1))) <= 7, `request ${k} has ${share.toFixed(1)}% of the work's samples, expected ${10 * (k + 1)}±7: ${perK}`);
  }

  // pyroscope.profile.id: on the root spans ("root"), or on every span ("all"), equal to the span_id label.
  const roots = spans.filter((s) => s.name.startsWith("request "));
  const children = spans.filter((s) => s.name.startsWith("child "));
  assert.equal(roots.length, 8);
  assert.equal(children.length, 8);
  for (const s of roots) assert.equal(s.attributes["pyroscope.profile.id"], s.spanId, `root span ${s.name}`);
  for (const s of children) assert.equal(s.attributes["pyroscope.profile.id"], mode === "all" ? s.spanId : undefined, `child span ${s.name}`);
}

test("root spans: every sample in a request's work, its child span's included, carries the request's span_id and trace_id", async (t) => {
  const run = await runServer("root");
  check("root", run);
  if (!needGo(t)) return;
  // go tool pprof reads the labels: -tags lists the eight requests' spans, and -tagfocus on one keeps its work only.
  const tags = goPprof(["-tags", run.file]);
  for (const r of run.results) {
    assert.match(tags, new RegExp(`: ${r.spanId}\\n`));
    assert.match(tags, new RegExp(`: ${r.traceId}\\n`));
  }
  const r3 = run.results.find((r) => r.k === 3)!;
  const top = goPprof(["-top", `-tagfocus=span_id=${r3.spanId}`, run.file]);
  assert.match(top, /\bwork3\b/);
  assert.match(top, /\bchild3\b/);
  assert.doesNotMatch(top, /\b(work|child)[012]\b/);
});

test("all spans: samples in a child span carry the child's span_id", async () => {
  check("all", await runServer("all"));
});
