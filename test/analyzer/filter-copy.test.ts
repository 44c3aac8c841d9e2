// copyForFilters: the web UI filters a copy of its profile on each page. The
// copy must leave the original untouched by every filter, and give the same
// reports as the merged copy it replaces.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { decodeProfile } from "../../src/profile/decode.ts";
import { mergeProfiles } from "../../src/profile/merge.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { defaultConfig, type Config } from "../../src/analyzer/config.ts";
import { applyFocus, copyForFilters } from "../../src/analyzer/filter/index.ts";
import { computeTotal, generateReport, numLabelUnits } from "../../src/analyzer/report/index.ts";

const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");

const options: Partial<Config>[] = [
  { focus: "main" },
  { ignore: "runtime" },
  { hide: "runtime" },
  { show: "main" },
  { showFrom: "main" },
  { pruneFrom: "runtime" },
  { tagHide: "." },
  { focus: ".", hide: "^$" },
];

function top(p: ProfileData, cfg: Config): string {
  const si = p.sampleType.length - 1;
  return generateReport("top", p, cfg, { sampleIndex: si, total: computeTotal(p, si, false) });
}

for (const name of ["cpu", "heap", "goroutine"]) {
  test(`copyForFilters on ${name}: original unchanged, reports as with a merged copy`, () => {
    const p = decodeProfile(readFileSync(join(dir, `${name}.pb.gz`)));
    const before = structuredClone(p);
    for (const o of options) {
      const cfg = { ...defaultConfig(), ...o };
      const copy = copyForFilters(p);
      applyFocus(copy, numLabelUnits(copy), cfg);
      const merged = mergeProfiles([p]);
      applyFocus(merged, numLabelUnits(merged), cfg);
      assert.equal(top(copy, cfg), top(merged, cfg), JSON.stringify(o));
    }
    assert.ok(isDeepStrictEqual(p, before), "the original profile was changed by a filter");
  });
}
