// Writing a whole buffer to a caller's Writable and waiting until it is done:
// the profile APIs resolve only after every byte reached the writer, and a
// writer error rejects instead of crashing the host process.

import type { Writable } from "node:stream";

export class WriterError extends Error {
  override name = "WriterError";
}

/** Writes `data` to `w` (without ending it) and resolves once it has been flushed. */
export function writeAll(w: Writable, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (w.destroyed || w.writableEnded) {
      reject(new WriterError("profile writer is closed"));
      return;
    }
    let settled = false;
    const onError = (err: Error) => {
      if (settled) return;
      settled = true;
      // Stays attached: the stream emits 'error' after the write callback,
      // and an unheard 'error' would crash the host process.
      reject(new WriterError(`writing profile: ${err.message}`, { cause: err }));
    };
    // Listening keeps an 'error' from becoming an uncaught exception in the host.
    w.on("error", onError);
    try {
      w.write(data, (err) => {
        if (err) return onError(err);
        if (settled) return;
        settled = true;
        w.off("error", onError);
        resolve();
      });
    } catch (err) {
      onError(err as Error);
    }
  });
}
