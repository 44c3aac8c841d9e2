// Collecting what a writer-taking API writes, in memory.
import { Writable } from "node:stream";

/** Runs `write` against an in-memory Writable and returns every byte it wrote. */
export async function collectBytes(write: (w: Writable) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  await write(w);
  return Buffer.concat(chunks);
}
