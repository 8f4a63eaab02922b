// The sweep's ladder of request rates up to the measured saturation rate, computed as inference-perf
// computes them (numpy linspace / geomspace, then Python's round(x, 2)). Pure: no clock, no I/O.

export type LadderType = "linear" | "geometric";

/**
 * Rates for `numStages` sweep stages up to `saturation` (req/s), rounded to 2 decimals.
 * - linear: `linspace(1, S, n)`, evenly spaced from 1 req/s to S.
 *   S=100, n=5 → [1, 25.75, 50.5, 75.25, 100].
 * - geometric: `[1 + S − r for r in geomspace(S, 1, n)]`: a geometric series mirrored so the steps
 *   shrink as the rate nears S, spending more stages close to saturation, where the latency knee is.
 *   S=100, n=5 → geomspace = [100, 31.62, 10, 3.16, 1] → [1, 69.38, 91, 97.84, 100].
 */
export function ladderRates(saturation: number, numStages: number, type: LadderType): number[] {
  if (!(Number.isFinite(saturation) && saturation > 0)) {
    throw new RangeError(`Saturation rate must be a finite number > 0, got ${saturation}`);
  }
  if (!(Number.isInteger(numStages) && numStages >= 1)) {
    throw new RangeError(`Number of stages must be an integer >= 1, got ${numStages}`);
  }
  const raw =
    type === "linear"
      ? linspace(1, saturation, numStages)
      : geomspace(saturation, 1, numStages).map((r) => 1 + saturation - r);
  return raw.map(roundPython2);
}

/** numpy.linspace(start, stop, num) with endpoint: start + i·step, and the last value exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * numpy.geomspace(start, stop, num) for positive endpoints: 10^linspace(log10 start, log10 stop),
 * with both endpoints set exactly (numpy does the same, so 1 and S are never off by an ulp).
 */
export function geomspace(start: number, stop: number, num: number): number[] {
  if (!(start > 0 && stop > 0)) throw new RangeError("geomspace() needs positive endpoints");
  const out = linspace(Math.log10(start), Math.log10(stop), num).map((e) => 10 ** e);
  out[0] = start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * Python's round(x, 2): the decimal nearest to the double's exact value, ties to even.
 * `toFixed(2)` already rounds the exact binary value (so 2.675, stored as 2.67499…, gives 2.67, as in
 * Python) but breaks exact ties upward. An exact tie at the third decimal means x·100 = k + ½ exactly,
 * i.e. x = (2k+1)/200, which is a binary fraction only when x = m/8 with m odd; those are the only
 * values where the two disagree, and there x·100 is exact, so we can pick the even neighbour.
 */
export function roundPython2(x: number): number {
  const eighths = x * 8;
  if (Number.isInteger(eighths) && Math.abs(eighths % 2) === 1) {
    const lower = Math.floor(x * 100);
    return (lower % 2 === 0 ? lower : lower + 1) / 100;
  }
  return Number(x.toFixed(2));
}
