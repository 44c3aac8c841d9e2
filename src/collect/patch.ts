// Replacing a property of a Node module or global (fs.readFileSync,
// Atomics.wait, worker_threads.Worker) by a wrapper, and putting the exact
// original back. A property is replaced only where it can be: a data
// property that is writable or configurable (Node 26's
// zlib.createZipArchiveSync is read-only but configurable). One that cannot
// be replaced (read-only and non-configurable, an accessor, an object that
// refuses) is skipped and named in a note for the profile's comments: a
// profiler wraps what it can, and never throws into the program it profiles.

interface Replaced {
  owner: object;
  name: string;
  /** The property as it was, attributes included, for an exact restore. */
  original: PropertyDescriptor;
  replacement: unknown;
}

export class PropertyPatches {
  readonly #replaced: Replaced[] = [];
  /** Kept across restores: the profile recorded while these were not wrapped. */
  readonly #notes = new Set<string>();

  /**
   * Replaces `owner[name]` by `wrap(original)`; `wrap` returning undefined
   * leaves it as it is. `where` names the owner in notes ("zlib", "Atomics").
   */
  replace(owner: object, where: string, name: string, wrap: (original: unknown) => unknown): void {
    try {
      const original = Object.getOwnPropertyDescriptor(owner, name);
      if (!original) return;
      if (!("value" in original)) return this.#skip(where, name, "accessor");
      if (!original.writable && !original.configurable) return this.#skip(where, name, "read-only");
      const replacement = wrap(original.value);
      if (replacement === undefined) return;
      // { value } alone keeps the other attributes; allowed on a writable or a configurable property.
      Object.defineProperty(owner, name, { value: replacement });
      this.#replaced.push({ owner, name, original, replacement });
    } catch (e) {
      this.#skip(where, name, e instanceof Error ? e.message : String(e));
    }
  }

  /** Puts every replaced property back as it was, where nobody replaced our wrapper since. */
  restore(): void {
    for (const r of this.#replaced.splice(0).reverse()) {
      try {
        if (Object.getOwnPropertyDescriptor(r.owner, r.name)?.value === r.replacement) Object.defineProperty(r.owner, r.name, r.original);
      } catch {
        // The owner changed under us (frozen since): our wrapper stays, harmless.
      }
    }
  }

  /** One line per property that could not be replaced, for the profile's comments. */
  get notes(): string[] {
    return [...this.#notes];
  }

  #skip(where: string, name: string, why: string): void {
    this.#notes.add(`tsprof: ${where}.${name} not wrapped (${why})`);
  }
}
