// Go's time and duration printing, for report headers and -raw output.

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The local time zone's abbreviation at a date ("UTC", "CET"…, else Intl's "GMT+1" form). */
function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find((p) => p.type === "timeZoneName");
  const name = part?.value ?? "UTC";
  return name === "GMT" && d.getTimezoneOffset() === 0 && (process.env.TZ === undefined || process.env.TZ === "" || /UTC/i.test(process.env.TZ)) ? "UTC" : name;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Go layout "Jan 2, 2006 at 3:04pm (MST)" in local time. */
export function formatHeaderTime(nanos: bigint): string {
  const d = new Date(Number(nanos / 1_000_000n));
  const h = d.getHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${months[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()} at ${h12}:${pad2(d.getMinutes())}${h < 12 ? "am" : "pm"} (${zoneName(d)})`;
}

/** Go's time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST" in local time. */
export function formatGoTime(nanos: bigint): string {
  let ms = nanos / 1_000_000n;
  let frac = nanos % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
  }
  if (nanos < 0n && nanos % 1_000_000n !== 0n) ms -= 1n;
  const d = new Date(Number(ms));
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  let fs = frac.toString().padStart(9, "0").replace(/0+$/, "");
  if (fs !== "") fs = "." + fs;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}${fs} ${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)} ${zoneName(d)}`;
}

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let u = BigInt(Math.abs(Math.trunc(ns)));
  let out: string;
  if (u < 1_000_000_000n) {
    let unit: string;
    let div: bigint;
    let prec: number;
    if (u < 1000n) return (neg ? "-" : "") + `${u}ns`;
    if (u < 1_000_000n) {
      unit = "µs";
      div = 1000n;
      prec = 3;
    } else {
      unit = "ms";
      div = 1_000_000n;
      prec = 6;
    }
    out = fracString(u, div, prec) + unit;
  } else {
    const secs = fracString(u % 60_000_000_000n, 1_000_000_000n, 9) + "s";
    u /= 60_000_000_000n;
    out = secs;
    if (u > 0n) {
      out = `${u % 60n}m` + out;
      u /= 60n;
      if (u > 0n) out = `${u}h` + out;
    }
  }
  return (neg ? "-" : "") + out;
}

function fracString(v: bigint, div: bigint, prec: number): string {
  const whole = v / div;
  const frac = (v % div).toString().padStart(prec, "0").replace(/0+$/, "");
  return frac === "" ? `${whole}` : `${whole}.${frac}`;
}
