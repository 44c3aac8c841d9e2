// Runs `tsprof pprof ARGS` in-process (the CLI's own code path, without a
// node start-up per case) and captures its output and exit code.

import { PassThrough, Readable } from "node:stream";
import { pprofCommand } from "../../src/analyzer/driver/main.ts";

export interface RunResult { code: number; stdout: string; stderr: string }

export async function runPprof(args: string[], stdinText = ""): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const stdin = Readable.from([stdinText]);
  const code = await pprofCommand(args, { stdout, stderr, stdin });
  return { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

export async function runPprofBytes(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const code = await pprofCommand(args, { stdout, stderr, stdin: Readable.from([""]) });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") };
}
