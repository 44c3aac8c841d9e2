// Unit scaling and number formatting, against values go tool pprof prints.

import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalUnit, formatFixed, formatG, label, percentage, scale, scaledLabel } from "../../src/analyzer/measurement.ts";
import { formatGoDuration, formatGoTime } from "../../src/analyzer/report/gotime.ts";

test("scale picks readable units and honours aliases", () => {
  assert.deepEqual(scale(1536, "bytes", "minimum"), [1.5, "kB"]);
  assert.deepEqual(scale(3 * 2 ** 30, "bytes", "auto"), [3, "GB"]);
  assert.deepEqual(scale(2 ** 20, "bytes", "kilobyte"), [1024, "kB"]);
  assert.deepEqual(scale(2 ** 20, "bytes", "furlongs"), [2 ** 20, "B"]); // unknown target: the default unit
  assert.deepEqual(scale(1_500_000, "nanoseconds", "ms"), [1.5, "ms"]);
  assert.deepEqual(scale(7_200_000_000_000, "nanoseconds", "minimum"), [2, "hrs"]);
  assert.deepEqual(scale(5, "count", "minimum"), [5, ""]);
  assert.deepEqual(scale(5, "widgets", "minimum"), [5, ""]);
  assert.deepEqual(scale(5, "widgets", "gadgets"), [5, "gadgets"]);
  assert.deepEqual(scale(-1536, "bytes", "minimum"), [-1.5, "kB"]);
  assert.deepEqual(scale(1, "microseconds", "ns"), [1000, "ns"]);
  assert.equal(canonicalUnit("MBytes"), "MB");
  assert.equal(canonicalUnit("secs"), "s");
  assert.equal(canonicalUnit("parsec"), undefined);
});

test("labels drop .00 and print zero as 0", () => {
  assert.equal(label(1_000_000_000, "nanoseconds"), "1s");
  assert.equal(label(1_234_567, "nanoseconds"), "1.23ms");
  assert.equal(label(0, "bytes"), "0");
  assert.equal(scaledLabel(1, "nanoseconds", "s"), "0");
  assert.equal(scaledLabel(-1, "nanoseconds", "s"), "0");
  assert.equal(label(100, "count"), "100");
});

test("percentages as pprof prints them", () => {
  assert.equal(percentage(1, 1), "  100%");
  assert.equal(percentage(9996, 10000), "  100%");
  assert.equal(percentage(1, 3), "33.33%");
  assert.equal(percentage(1, 200), "  0.5%");
  assert.equal(percentage(1, 100000), "0.001%");
  assert.equal(percentage(1, 1e8), "1e-06%");
  assert.equal(percentage(0, 10), "    0%");
  assert.equal(percentage(5, 0), "    0%");
  assert.equal(percentage(-1, 4), "25.00%");
});

test("fixed and %g formatting round half to even like Go", () => {
  assert.equal(formatFixed(0.125, 2), "0.12"); // JS toFixed says 0.13
  assert.equal(formatFixed(0.375, 2), "0.38");
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(1.005, 2), "1.00"); // 1.005 is below the tie in binary
  assert.equal(formatFixed(-0.001, 2), "-0.00");
  assert.equal(formatFixed(1e21, 1), "1000000000000000000000.0");
  assert.equal(formatG(0.125, 2), "0.12");
  assert.equal(formatG(0.0001234, 2), "0.00012");
  assert.equal(formatG(0.00001234, 2), "1.2e-05");
  assert.equal(formatG(99.5, 2), "1e+02");
  assert.equal(formatG(0.5, 2), "0.5");
});

test("Go durations and times", () => {
  assert.equal(formatGoDuration(0), "0s");
  assert.equal(formatGoDuration(999), "999ns");
  assert.equal(formatGoDuration(1500), "1.5µs");
  assert.equal(formatGoDuration(10_012_345_678), "10.012345678s");
  assert.equal(formatGoDuration(3_723_000_000_000), "1h2m3s");
  assert.equal(formatGoDuration(60_000_000_000), "1m0s");
  assert.equal(formatGoDuration(-2_000_000), "-2ms");
  if (new Date(0).getTimezoneOffset() === 0) {
    assert.equal(formatGoTime(1_700_000_000_123_456_789n), "2023-11-14 22:13:20.123456789 +0000 UTC");
    assert.equal(formatGoTime(1_700_000_000_000_000_000n), "2023-11-14 22:13:20 +0000 UTC");
  }
});
