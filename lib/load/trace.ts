// trace_replay schedules: send offsets (ms from stage start) replaying a parsed trace's timing, the
// per-request sizes, and the banner line. Pure: the trace arrives already parsed (lib/data/trace-csv.ts).
import { formatCount, formatRate, requestCount } from "./constant.ts";

/** The columns of a parsed trace (lib/data/trace-csv.ts `Trace` fits). */
export interface TraceColumns {
  readonly file: string;
  readonly count: number;
  readonly offsetsMs: Float64Array;
  readonly inputTokens: Int32Array;
  readonly outputTokens: Int32Array;
}

/**
 * Send offsets of the first `count` rows: row i is due `offsetsMs[i]` after the stage starts, the
 * first row at 0, exactly as timed in the trace (absolute deadlines, never gaps added up).
 * The returned array is a copy, so the caller may transfer it to a worker.
 */
export function traceOffsets(trace: TraceColumns, count: number = trace.count): Float64Array {
  if (!(Number.isInteger(count) && count >= 0 && count <= trace.count)) {
    throw new RangeError(`Trace request count must be an integer in [0, ${trace.count}], got ${count}`);
  }
  return trace.offsetsMs.slice(0, count);
}

/** Input and output token counts of trace row `index` (data.trace with data.type random). */
export function traceSizes(
  trace: TraceColumns,
  index: number,
): { inputTokens: number; outputTokens: number } {
  if (!(Number.isInteger(index) && index >= 0 && index < trace.count)) {
    throw new RangeError(`Trace row must be an integer in [0, ${trace.count}), got ${index}`);
  }
  return {
    inputTokens: trace.inputTokens[index] as number,
    outputTokens: trace.outputTokens[index] as number,
  };
}

export interface TraceStageCount {
  /** Requests the stage sends. */
  count: number;
  /** Why the count is not simply the trace's length, for a warning; null when it is. */
  note: string | null;
}

/**
 * How many rows a trace_replay stage sends, as inference-perf decides it: the data trace's length when
 * `data.trace` is set, else the stage's int(rate × duration). inference-perf fails mid-stage when that
 * exceeds the timing trace; we cap at the timing trace's length and say so.
 */
export function traceStageCount(opts: {
  timingRows: number;
  dataRows: number | null;
  rate: number;
  durationS: number;
}): TraceStageCount {
  const wanted =
    opts.dataRows !== null ? opts.dataRows : requestCount({ rate: opts.rate, durationS: opts.durationS });
  const source = opts.dataRows !== null ? "data.trace rows" : "int(rate × duration)";
  if (wanted > opts.timingRows) {
    return {
      count: opts.timingRows,
      note: `${source} asks for ${formatCount(wanted)} requests but load.trace has ${formatCount(opts.timingRows)} rows: sending ${formatCount(opts.timingRows)}`,
    };
  }
  if (wanted < opts.timingRows) {
    return {
      count: wanted,
      note: `sending the first ${formatCount(wanted)} of load.trace's ${formatCount(opts.timingRows)} rows (${source})`,
    };
  }
  return { count: wanted, note: null };
}

/** Banner text: 'trace "sample.csv": 40 requests over 4.6 s (mean 8.7 req/s, peak 14 in one second)'. */
export function describeTrace(trace: TraceColumns, count: number = trace.count): string {
  const name = trace.file.split(/[\\/]/).at(-1) ?? trace.file;
  if (count === 0) return `trace "${name}": no requests`;
  const spanS = (trace.offsetsMs[count - 1] as number) / 1000;
  const mean = spanS > 0 ? `mean ${formatRate(count / spanS)} req/s, ` : "";
  return `trace "${name}": ${formatCount(count)} requests over ${spanS.toFixed(1)} s (${mean}peak ${formatCount(peakPerSecond(trace.offsetsMs, count))} in one second)`;
}

/** Most rows whose offsets fall in any 1-second window [t, t + 1000): a two-pointer sweep, O(n). */
export function peakPerSecond(offsetsMs: Float64Array, count: number = offsetsMs.length): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < count; hi++) {
    while ((offsetsMs[hi] as number) - (offsetsMs[lo] as number) >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
