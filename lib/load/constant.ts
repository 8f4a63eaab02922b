// Constant arrival: request i is due at i / rate seconds after the stage starts. Pure: no clock, no I/O.
//
// Deliberate improvement on inference-perf: its "constant" timer draws n exponential gaps and rescales
// them to fill the duration, which is n uniformly random instants (bursty, and unseeded). Ours is
// evenly spaced, so "200 req/s constant" means one request every 5 ms, as in Vegeta, k6 and oha.

export interface RateOptions {
  /** Requests per second, > 0. */
  rate: number;
  /** Stage length in seconds, > 0. */
  durationS: number;
}

/**
 * inference-perf's request count, int(rate * duration). The epsilon keeps products such as
 * 2.3 * 100 = 229.99999999999997 from losing a request to floating-point error.
 */
export function requestCount(opts: RateOptions): number {
  if (!(opts.rate > 0) || !(opts.durationS > 0)) {
    throw new RangeError(`Rate and duration must be > 0, got ${opts.rate} and ${opts.durationS}`);
  }
  return Math.floor(opts.rate * opts.durationS + 1e-9);
}

/** Send offsets in ms from the stage start: 0, 1000/rate, 2000/rate, … (absolute, never cumulative). */
export function constantOffsets(opts: RateOptions): Float64Array {
  const n = requestCount(opts);
  const offsets = new Float64Array(n);
  // i * 1000 / rate for each i (not a running sum), so rounding error never accumulates.
  for (let i = 0; i < n; i++) offsets[i] = (i * 1000) / opts.rate;
  return offsets;
}

export function describeConstant(opts: RateOptions): string {
  return `${formatRate(opts.rate)} req/s constant (evenly spaced) for ${opts.durationS} s, ${formatCount(requestCount(opts))} requests`;
}

/**
 * `rate.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 3 })`, written out:
 * the first Intl number format of a process costs 3-6 ms, and this text is built just before each
 * stage starts (docs/PERFORMANCE.md "Start-up"). The test holds the two equal.
 */
export function formatRate(rate: number): string {
  const text = String(Math.abs(rate));
  if (!Number.isFinite(rate) || text.includes("e")) return rate.toLocaleString("en-US", RATE_FORMAT);
  // Intl rounds the shortest decimal form of the number (String's), half away from zero.
  const [whole = "0", fraction = ""] = text.split(".");
  let digits = whole + fraction.slice(0, 3).padEnd(3, "0");
  if (fraction.charCodeAt(3) >= 0x35 /* "5" */)
    digits = String(BigInt(digits) + 1n).padStart(digits.length, "0");
  let kept = digits.slice(-3);
  while (kept.length > 1 && kept.endsWith("0")) kept = kept.slice(0, -1);
  const sign = rate < 0 || Object.is(rate, -0) ? "-" : "";
  return `${sign}${groupThousands(digits.slice(0, -3) || "0")}.${kept}`;
}

const RATE_FORMAT = { minimumFractionDigits: 1, maximumFractionDigits: 3 };

/** `n.toLocaleString("en-US")` for a count, written out for the reason formatRate gives. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const sign = n < 0 || Object.is(n, -0) ? "-" : "";
  return `${sign}${groupThousands(String(Math.abs(n)))}`;
}

/** "1234567" → "1,234,567" (a loop, not a regular expression: compiling one is most of a cold call). */
function groupThousands(digits: string): string {
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}
