// The profile registry (Go's pprof.Profile, NewProfile, Lookup, Profiles):
// named collections of stacks. Custom profiles keep their own entries; the
// predefined ones plug in a ProfileSource that collects from the runtime.

import type { Writable } from "node:stream";
import type { ProfileData } from "../profile/model.js";
import type { Frame } from "../profile/builder.js";
import { ProfileBuilder } from "../profile/builder.js";
import { encodeProfileGzip } from "../profile/encode.js";
import { captureStack } from "../collect/stack.js";
import { writeAll } from "../util/write.js";
import { countProfileText } from "./text.js";

/** What a predefined profile plugs into the registry. */
export interface ProfileSource {
  /** Go's Count(): the number of entries the profile would show now. */
  count(): number;
  /** The profile as data, for debug=0 (and for text forms without their own). */
  collect(): ProfileData | Promise<ProfileData>;
  /** The debug >= 1 text; when absent, the count-profile text of collect(). */
  text?(debug: number): string | Promise<string>;
  /** Whether `debug` asks for text; default debug > 0 (Go's heap: debug != 0). */
  isText?(debug: number): boolean;
}

/** Go's lostProfileEvent: the frame shown when skip leaves no stack. */
const LOST_FRAME: Frame = { name: "tsprof.lostProfileEvent", file: "", line: 0, column: 0, startLine: 0 };

export class Profile {
  readonly #name: string;
  readonly #source: ProfileSource | undefined;
  readonly #entries = new Map<unknown, Frame[]>();

  /** @internal Use newProfile() or lookup(). */
  constructor(name: string, source?: ProfileSource) {
    this.#name = name;
    this.#source = source;
  }

  name(): string {
    return this.#name;
  }

  /** The number of entries: values added and not removed, or the predefined profile's count. */
  count(): number {
    return this.#source ? this.#source.count() : this.#entries.size;
  }

  /**
   * Records `value` with the current JavaScript stack. skip=0 starts the stack
   * at the function calling add, skip=1 at its caller, and so on (Go's skip).
   */
  add(value: unknown, skip = 0): void {
    if (this.#source) throw new Error(`pprof: Add called on built-in Profile ${this.#name}`);
    if (this.#entries.has(value)) throw new Error("pprof: Profile.Add of duplicate value");
    if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`pprof: Profile.Add skip must be a non-negative integer, got ${skip}`);
    // +1: the stack starts above add() itself.
    const stack = captureStack(skip + 1);
    this.#entries.set(value, stack.length > 0 ? stack : [LOST_FRAME]);
  }

  /** Forgets `value`; a value never added is ignored. */
  remove(value: unknown): void {
    if (this.#source) throw new Error(`pprof: Remove called on built-in Profile ${this.#name}`);
    this.#entries.delete(value);
  }

  /** The profile as data (debug=0 content), for encoders and delta profiles. */
  async collect(): Promise<ProfileData> {
    if (this.#source) return this.#source.collect();
    const b = new ProfileBuilder({
      sampleType: [{ type: this.#name, unit: "count" }],
      periodType: { type: this.#name, unit: "count" },
      period: 1,
    });
    for (const stack of this.#entries.values()) b.addSample(stack, [1]);
    return b.build();
  }

  /**
   * Writes the profile to `w`: debug=0 gzipped pprof, debug=1 Go's legacy
   * text, debug=2 (goroutine) a dump of every unit. Rejects on writer errors.
   */
  async writeTo(w: Writable, debug = 0): Promise<void> {
    if (!Number.isInteger(debug)) throw new RangeError(`pprof: debug must be an integer, got ${debug}`);
    if (!(this.#source?.isText ? this.#source.isText(debug) : debug > 0)) {
      await writeAll(w, await encodeProfileGzip(await this.collect()));
      return;
    }
    const text = this.#source?.text ? await this.#source.text(debug) : countProfileText(this.#name, await this.collect());
    await writeAll(w, text);
  }
}

const registry = new Map<string, Profile>();

/** Creates and registers a custom profile; throws if the name is taken or empty. */
export function newProfile(name: string): Profile {
  if (typeof name !== "string" || name === "") throw new Error("pprof: NewProfile with empty name");
  if (registry.has(name)) throw new Error(`pprof: NewProfile name already in use: ${name}`);
  const p = new Profile(name);
  registry.set(name, p);
  return p;
}

/** The profile of that name, or undefined. */
export function lookup(name: string): Profile | undefined {
  return registry.get(name);
}

/** Every registered profile, sorted by name. */
export function profiles(): Profile[] {
  return [...registry.values()].sort((a, b) => (a.name() < b.name() ? -1 : a.name() > b.name() ? 1 : 0));
}

/** @internal Registers a predefined profile backed by a runtime source. */
export function registerPredefined(name: string, source: ProfileSource): Profile {
  const p = new Profile(name, source);
  registry.set(name, p);
  return p;
}
