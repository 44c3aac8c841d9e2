// Builds a ProfileData from stacks of symbolized frames, deduplicating
// functions, locations and identical samples on the way (Go's profileBuilder).
// Every collector in the runtime path goes through it.

import type { Location, Mapping, ProfileData, ProfileFunction, Sample, ValueType } from "./model.js";
import { emptyProfile } from "./model.js";

/** One symbolized JavaScript frame, as collectors report it (1-based lines). */
export interface Frame {
  /** Function name as shown to users, e.g. `handleRequest` or `Server.emit`. */
  name: string;
  /** A path for files on disk, `node:fs`-style names for built-ins, "" when unknown. */
  file: string;
  /** Line being executed (leaf) or the call site (callers); 0 when unknown. */
  line: number;
  /** Column of `line`, 1-based; 0 when unknown. */
  column: number;
  /** First line of the function; 0 when unknown. */
  startLine: number;
}

export interface BuilderOptions {
  sampleType: ValueType[];
  periodType: ValueType;
  period: number;
  defaultSampleType?: string;
  /** Defaults to now. */
  timeNanos?: bigint;
  durationNanos?: number;
  /** The file named by the profile's one mapping (pprof's "File:" header). */
  mappingFile?: string;
  comments?: string[];
}

export type SampleLabels = Record<string, string>;
export type SampleNumLabels = Record<string, { value: number; unit?: string }>;

export class ProfileBuilder {
  private readonly profile: ProfileData;
  private readonly mapping: Mapping;
  private readonly functions = new Map<string, ProfileFunction>();
  private readonly locations = new Map<string, Location>();
  private readonly samples = new Map<string, Sample>();

  constructor(options: BuilderOptions) {
    const p = emptyProfile();
    p.sampleType = options.sampleType;
    p.periodType = options.periodType;
    p.period = options.period;
    p.defaultSampleType = options.defaultSampleType ?? "";
    p.timeNanos = options.timeNanos ?? nowNanos();
    p.durationNanos = options.durationNanos ?? 0;
    p.comments = options.comments ?? [];
    // One mapping, flagged as fully symbolized, so pprof tools neither try to
    // symbolize the locations nor warn about missing binaries.
    this.mapping = {
      id: 1, start: 0n, limit: 0n, offset: 0n,
      file: options.mappingFile ?? defaultMappingFile(), buildId: "",
      hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: false,
    };
    p.mapping.push(this.mapping);
    this.profile = p;
  }

  functionFor(frame: Frame): ProfileFunction {
    const key = `${frame.name}\0${frame.file}\0${frame.startLine}`;
    let fn = this.functions.get(key);
    if (!fn) {
      fn = { id: this.profile.function.length + 1, name: frame.name, systemName: frame.name, filename: frame.file, startLine: frame.startLine };
      this.functions.set(key, fn);
      this.profile.function.push(fn);
    }
    return fn;
  }

  locationFor(frame: Frame): Location {
    const fn = this.functionFor(frame);
    const key = `${fn.id}:${frame.line}:${frame.column}`;
    let loc = this.locations.get(key);
    if (!loc) {
      const id = this.profile.location.length + 1;
      // Synthetic, distinct addresses inside the one mapping: pprof's
      // -addresses granularity and the legacy text forms need one per location.
      loc = { id, mapping: this.mapping, address: BigInt(id), line: [{ function: fn, line: frame.line, column: frame.column }], isFolded: false };
      this.locations.set(key, loc);
      this.profile.location.push(loc);
    }
    return loc;
  }

  /**
   * Adds `values` to the sample of this stack (leaf first) and labels;
   * identical stacks with identical labels are merged by element-wise addition.
   */
  addSample(stack: readonly Frame[], values: readonly number[], labels?: SampleLabels, numLabels?: SampleNumLabels): Sample {
    const locations = stack.map((f) => this.locationFor(f));
    return this.addLocationSample(locations, values, labels, numLabels);
  }

  addLocationSample(locations: Location[], values: readonly number[], labels?: SampleLabels, numLabels?: SampleNumLabels): Sample {
    let key = locations.map((l) => l.id).join(",");
    if (labels) for (const k of Object.keys(labels).sort()) key += `\0${k}=${labels[k]}`;
    if (numLabels) for (const k of Object.keys(numLabels).sort()) key += `\0#${k}=${numLabels[k]!.value}${numLabels[k]!.unit ?? ""}`;
    const existing = this.samples.get(key);
    if (existing) {
      for (let i = 0; i < values.length; i++) existing.value[i]! += values[i]!;
      return existing;
    }
    const sample: Sample = { location: locations, value: values.slice(), label: {}, numLabel: {}, numUnit: {} };
    if (labels) for (const k in labels) sample.label[k] = [labels[k]!];
    if (numLabels) {
      for (const k in numLabels) {
        sample.numLabel[k] = [numLabels[k]!.value];
        if (numLabels[k]!.unit) sample.numUnit[k] = [numLabels[k]!.unit!];
      }
    }
    this.samples.set(key, sample);
    this.profile.sample.push(sample);
    return sample;
  }

  build(): ProfileData {
    this.mapping.limit = BigInt(this.profile.location.length + 1);
    return this.profile;
  }
}

export function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function defaultMappingFile(): string {
  return process.argv[1] ?? process.execPath;
}
