// Units of sample values: scaling between units of one kind (bytes, time,
// GCU), picking a readable unit, and formatting values and percentages the
// way `go tool pprof` prints them. The one place that knows units.

interface Unit {
  canonicalName: string;
  aliases: string[];
  factor: number;
}

interface UnitKind {
  defaultUnit: Unit;
  units: Unit[];
}

const byteUnits: Unit[] = [
  { canonicalName: "B", aliases: ["b", "byte"], factor: 1 },
  { canonicalName: "kB", aliases: ["kb", "kbyte", "kilobyte"], factor: 2 ** 10 },
  { canonicalName: "MB", aliases: ["mb", "mbyte", "megabyte"], factor: 2 ** 20 },
  { canonicalName: "GB", aliases: ["gb", "gbyte", "gigabyte"], factor: 2 ** 30 },
  { canonicalName: "TB", aliases: ["tb", "tbyte", "terabyte"], factor: 2 ** 40 },
  { canonicalName: "PB", aliases: ["pb", "pbyte", "petabyte"], factor: 2 ** 50 },
];

const timeUnits: Unit[] = [
  { canonicalName: "ns", aliases: ["ns", "nanosecond"], factor: 1 },
  { canonicalName: "us", aliases: ["μs", "us", "microsecond"], factor: 1e3 },
  { canonicalName: "ms", aliases: ["ms", "millisecond"], factor: 1e6 },
  { canonicalName: "s", aliases: ["s", "sec", "second"], factor: 1e9 },
  { canonicalName: "hrs", aliases: ["hour", "hr"], factor: 3600e9 },
];

const gcuUnits: Unit[] = [
  ["n*GCU", "nanogcu", 1e-9],
  ["u*GCU", "microgcu", 1e-6],
  ["m*GCU", "milligcu", 1e-3],
  ["GCU", "gcu", 1],
  ["k*GCU", "kilogcu", 1e3],
  ["M*GCU", "megagcu", 1e6],
  ["G*GCU", "gigagcu", 1e9],
  ["T*GCU", "teragcu", 1e12],
  ["P*GCU", "petagcu", 1e15],
].map(([canonicalName, alias, factor]) => ({ canonicalName: canonicalName as string, aliases: [alias as string], factor: factor as number }));

const unitKinds: UnitKind[] = [
  { units: byteUnits, defaultUnit: byteUnits[0]! },
  { units: timeUnits, defaultUnit: { canonicalName: "s", aliases: [], factor: 1e9 } },
  { units: gcuUnits, defaultUnit: { canonicalName: "GCU", aliases: [], factor: 1 } },
];

/** The unit a (case-insensitive, plural-tolerant) unit name stands for in one kind. */
function sniffUnit(kind: UnitKind, name: string): Unit | undefined {
  let n = name.toLowerCase();
  if (n.length > 2 && n.endsWith("s")) n = n.slice(0, -1);
  return kind.units.find((u) => u.aliases.includes(n));
}

function autoScale(kind: UnitKind, value: number): [number, string] | undefined {
  let f = 0;
  let name = "";
  for (const u of kind.units) {
    if (u.factor >= f && value / u.factor >= 1) {
      f = u.factor;
      name = u.canonicalName;
    }
  }
  return f === 0 ? undefined : [value / f, name];
}

function convertUnit(kind: UnitKind, value: number, fromUnit: string, toUnit: string): [number, string] | undefined {
  const from = sniffUnit(kind, fromUnit);
  if (!from) return undefined;
  const v = value * from.factor;
  if (toUnit === "minimum" || toUnit === "auto") {
    return autoScale(kind, v) ?? [v / kind.defaultUnit.factor, kind.defaultUnit.canonicalName];
  }
  const to = sniffUnit(kind, toUnit);
  if (!to) return [v / kind.defaultUnit.factor, kind.defaultUnit.canonicalName];
  return [v / to.factor, to.canonicalName];
}

/**
 * Converts `value` from `fromUnit` to `toUnit` ("minimum"/"auto" pick a readable
 * unit). Returns the scaled value and the unit to print ("" for plain counts).
 */
export function scale(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scale(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const kind of unitKinds) {
    const r = convertUnit(kind, value, fromUnit, toUnit);
    if (r) return r;
  }
  switch (toUnit) {
    case "count": case "sample": case "unit": case "minimum": case "auto":
      return [value, ""];
    default:
      return [value, toUnit];
  }
}

/** A value with its unit, auto-scaled: "1.50MB", "10ms", "42". */
export function label(value: number, unit: string): string {
  return scaledLabel(value, unit, "auto");
}

/** A value converted to `toUnit` and printed with two decimals, ".00" dropped. */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scale(value, fromUnit, toUnit);
  let sv = formatFixed(v, 2);
  if (sv.endsWith(".00")) sv = sv.slice(0, -3);
  if (sv === "0" || sv === "-0") return "0";
  return sv + u;
}

/** `value` as a share of `total`, 6 characters wide as pprof prints it ("  100%", "12.50%", " 0.05%"). */
export function percentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return "  100%";
  if (ratio >= 1) return formatFixed(ratio, 2).padStart(5) + "%";
  return formatG(ratio, 2).padStart(5) + "%";
}

/** True when the two value types can be combined (same kind, units of one family). */
export function compatibleValueTypes(a: { type: string; unit: string } | undefined, b: { type: string; unit: string } | undefined): boolean {
  if (!a || !b) return true;
  const trim = (s: string) => (s.endsWith("s") ? s.slice(0, -1) : s);
  if (trim(a.type) !== trim(b.type)) return false;
  if (a.unit === b.unit) return true;
  return unitKinds.some((k) => sniffUnit(k, a.unit) !== undefined && sniffUnit(k, b.unit) !== undefined);
}

/** The canonical unit name for a -unit option value, or undefined when pprof would not recognise it. */
export function canonicalUnit(name: string): string | undefined {
  if (name === "minimum" || name === "auto") return name;
  for (const kind of unitKinds) {
    const u = sniffUnit(kind, name);
    if (u) return u.canonicalName;
  }
  return undefined;
}

// ---- Go's fmt number formatting (round half to even on the exact binary value) ----

/** Go's `%.{prec}f`. */
export function formatFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : x < 0 ? "-Inf" : "NaN";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  if (a >= 1e21) {
    s = BigInt(Math.round(a)).toString() + (prec > 0 ? "." + "0".repeat(prec) : "");
  } else {
    const long = a.toFixed(Math.min(100, prec + 25));
    const cut = long.length - (Math.min(100, prec + 25) - prec);
    const tail = long.slice(cut);
    if (/^50*$/.test(tail)) {
      // An exact tie: JS rounds half up, Go rounds half to even.
      const head = long.slice(0, cut).replace(/\.$/, "");
      const lastDigit = Number(head[head.length - 1]);
      s = lastDigit % 2 === 0 ? head : a.toFixed(prec);
    } else {
      s = a.toFixed(prec);
    }
  }
  return neg ? "-" + s : s;
}

/** Go's `%.{prec}g` (shortest of %e/%f with `prec` significant digits, trailing zeros removed). */
export function formatG(x: number, prec: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : x < 0 ? "-Inf" : "NaN";
  const p = prec === 0 ? 1 : prec;
  const neg = x < 0;
  const a = Math.abs(x);
  let [digits, exp] = roundSignificant(a, p);
  let out: string;
  if (exp < -4 || exp >= p) {
    let mant = digits[0]! + (digits.length > 1 ? "." + digits.slice(1) : "");
    mant = stripZeros(mant);
    const e = Math.abs(exp);
    out = `${mant}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" + e : String(e)}`;
  } else if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    out = stripZeros(frac ? `${intPart}.${frac}` : intPart);
  } else {
    out = stripZeros("0." + "0".repeat(-exp - 1) + digits);
  }
  return neg ? "-" + out : out;
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/0+$/, "").replace(/\.$/, "");
}

/** `p` significant decimal digits of a positive number, rounded half to even, and its decimal exponent. */
function roundSignificant(a: number, p: number): [string, number] {
  const extra = Math.min(100, p - 1 + 25);
  const long = a.toExponential(extra); // d.ddd…e±x, exact enough to see ties
  const [mant, expStr] = long.split("e") as [string, string];
  const allDigits = mant.replace(".", "");
  const tail = allDigits.slice(p);
  const short = a.toExponential(p - 1);
  if (/^50*$/.test(tail)) {
    const head = allDigits.slice(0, p);
    if (Number(head[head.length - 1]) % 2 === 0) return [head, Number(expStr)];
  }
  const [m2, e2] = short.split("e") as [string, string];
  return [m2.replace(".", ""), Number(e2)];
}
