// What every legacy parser produces (samples of addresses), made into a
// ProfileData as google/pprof makes it: one location per distinct address,
// numbered in order of first use, mappings from the memory map (or one
// covering every address), names from the text's comment lines (or a Java
// profile's location lines), and the drop_frames/keep_frames that go with
// the profile's kind.

import type { Location, Mapping, ProfileData, ProfileFunction, Sample, ValueType } from "../../profile/model.js";
import { emptyProfile } from "../../profile/model.js";
import { assignMappings } from "./legacy-maps.js";

export interface LegacySample {
  /** Location addresses, leaf first, already adjusted to land on the call. */
  addrs: bigint[];
  value: number[];
  numLabel?: Record<string, number[]>;
}

export interface LegacyDraft {
  sampleType: ValueType[];
  periodType: ValueType;
  period: number;
  durationNanos: number;
  samples: LegacySample[];
  /** Location addresses in id order, when some are no longer used by a sample (the CPU parser's clean-up). */
  locationOrder?: bigint[];
  mappings: Mapping[];
  /** Names for the locations: the text's comment lines, or a Java profile's location lines. */
  names?: LocationNamer;
  /**
   * A Java profile: named by its own lines in Go too, so Go's frame filters
   * apply, and every address is dropped once mappings are made (google/pprof
   * aggregates Java locations by function and line).
   */
  java?: boolean;
}

export interface LocationNamer {
  /** Gives locations their lines; returns the functions they use. */
  nameLocations(locations: readonly Location[]): ProfileFunction[];
}

export function buildLegacyProfile(d: LegacyDraft): ProfileData {
  const p = emptyProfile();
  p.sampleType = d.sampleType;
  p.periodType = d.periodType;
  p.period = d.period;
  p.durationNanos = d.durationNanos;
  const byAddress = new Map<bigint, Location>();
  const locationAt = (address: bigint): Location => {
    let l = byAddress.get(address);
    if (!l) {
      l = { id: byAddress.size + 1, mapping: undefined, address, line: [], isFolded: false };
      byAddress.set(address, l);
      p.location.push(l);
    }
    return l;
  };
  for (const a of d.locationOrder ?? []) locationAt(a);
  for (const s of d.samples) {
    const sample: Sample = { location: s.addrs.map(locationAt), value: s.value, label: {}, numLabel: s.numLabel ?? {}, numUnit: {} };
    p.sample.push(sample);
  }
  if (d.names) p.function = d.names.nameLocations(p.location);
  p.mapping = assignMappings(d.mappings, p.location);
  if (d.java) for (const l of p.location) l.address = 0n;
  markSymbolized(p.mapping, p.location);
  // Go names no frame of a legacy profile, so its frame filters never act
  // there. Named from the comments, they would: and as Go's texts leave
  // runtime.goexit unnamed at every root, its runtime\..* would then cut
  // each heap stack down to that one address. They are set only where
  // nothing is named, as in Go.
  if (d.java || p.function.length === 0) setFrameFilters(p);
  return p;
}

/** A mapping whose every location was named needs no symbolization. */
function markSymbolized(mappings: Mapping[], locations: Location[]): void {
  const seen = new Map<Mapping, { named: boolean; inline: boolean }>();
  for (const l of locations) {
    if (!l.mapping) continue;
    const e = seen.get(l.mapping) ?? { named: true, inline: false };
    e.named &&= l.line.length > 0;
    e.inline ||= l.line.length > 1;
    seen.set(l.mapping, e);
  }
  for (const m of mappings) {
    const e = seen.get(m);
    if (!e?.named) continue;
    m.hasFunctions = m.hasFilenames = m.hasLineNumbers = true;
    m.hasInlineFrames = e.inline;
  }
}

// The frames google/pprof drops from the leaf end of legacy profiles' stacks:
// allocator internals from heap profiles, lock internals from contention
// profiles, the signal handler from the others.
const heapTypes = [["allocations", "size"], ["objects", "space"], ["inuse_objects", "inuse_space"], ["alloc_objects", "alloc_space"],
  ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]];
const contentionTypes = [["contentions", "delay"]];

const allocFrames = [
  "calloc", "cfree", "malloc", "free", "memalign", "do_memalign", "(__)?posix_memalign", "pvalloc", "valloc", "realloc",
  "tcmalloc::.*", "tc_calloc", "tc_cfree", "tc_malloc", "tc_free", "tc_memalign", "tc_posix_memalign", "tc_pvalloc", "tc_valloc",
  "tc_realloc", "tc_new", "tc_delete", "tc_newarray", "tc_deletearray", "tc_new_nothrow", "tc_newarray_nothrow",
  "malloc_zone_malloc", "malloc_zone_calloc", "malloc_zone_valloc", "malloc_zone_realloc", "malloc_zone_memalign", "malloc_zone_free",
  "runtime\\..*",
  "BaseArena::.*", "(::)?do_malloc_no_errno", "(::)?do_malloc_pages", "(::)?do_malloc", "DoSampledAllocation",
  "MallocedMemBlock::MallocedMemBlock", "_M_allocate", "__builtin_(vec_)?delete", "__builtin_(vec_)?new",
  "__gnu_cxx::new_allocator::allocate", "__libc_malloc", "__malloc_alloc_template::allocate", "allocate", "cpp_alloc",
  "operator new(\\[\\])?", "simple_alloc::allocate",
].join("|");
// Go runtime frames that are kept in the middle of a heap stack.
const allocKeepFrames = ["runtime\\.panic", "runtime\\.reflectcall", "runtime\\.call[0-9]*"].join("|");
const cpuProfilerFrames = ["ProfileData::Add", "ProfileData::prof_handler", "CpuProfiler::prof_handler", "__pthread_sighandler", "__restore"].join("|");
const lockFrames = [
  "RecordLockProfileData", "(base::)?RecordLockProfileData.*", "(base::)?SubmitMutexProfileData.*", "(base::)?SubmitSpinLockProfileData.*",
  "(base::Mutex::)?AwaitCommon.*", "(base::Mutex::)?Unlock.*", "(base::Mutex::)?UnlockSlow.*", "(base::Mutex::)?ReaderUnlock.*",
  "(base::MutexLock::)?~MutexLock.*", "(Mutex::)?AwaitCommon.*", "(Mutex::)?Unlock.*", "(Mutex::)?UnlockSlow.*", "(Mutex::)?ReaderUnlock.*",
  "(MutexLock::)?~MutexLock.*", "(SpinLock::)?Unlock.*", "(SpinLock::)?SlowUnlock.*", "(SpinLockHolder::)?~SpinLockHolder.*",
].join("|");

function isKind(p: ProfileData, kinds: string[][]): boolean {
  return kinds.some((k) => k.length === p.sampleType.length && k.every((t, i) => p.sampleType[i]!.type === t));
}

function setFrameFilters(p: ProfileData): void {
  if (isKind(p, heapTypes)) {
    p.dropFrames = allocFrames;
    p.keepFrames = allocKeepFrames;
  } else if (isKind(p, contentionTypes)) {
    p.dropFrames = lockFrames;
  } else {
    p.dropFrames = cpuProfilerFrames;
  }
}
