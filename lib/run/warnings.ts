// End-of-stage warnings: the schedule slipped (median delay > 10 ms) or the achieved rate fell below
// 95% of the requested one, with the knob that helps, as inference-perf's load-generation guide
// advises. Pure: returns lines for the caller to log.

export interface StageHealth {
  stageId: number;
  requestedRate: number;
  achievedRate: number;
  medianDelayMs: number;
  numWorkers: number;
  workerMaxConcurrency: number;
  /** Peak requests in flight seen while it ran (across workers). */
  peakInFlight: number;
  cpus: number;
}

export function stageWarnings(h: StageHealth): string[] {
  const slow = h.medianDelayMs > 10;
  const short = h.achievedRate < 0.95 * h.requestedRate;
  if (!slow && !short) return [];
  const what = [
    slow ? `median schedule delay ${h.medianDelayMs.toFixed(1)} ms (> 10 ms)` : "",
    short ? `achieved ${h.achievedRate.toFixed(1)} req/s of ${h.requestedRate} requested (< 95%)` : "",
  ].filter(Boolean);
  const slots = h.numWorkers * h.workerMaxConcurrency;
  let knob: string;
  if (h.peakInFlight >= slots) {
    knob = `every slot was busy (${h.numWorkers} workers × ${h.workerMaxConcurrency} = ${slots}): raise load.worker_max_concurrency (or load.num_workers); the server may also be saturated`;
  } else if (h.numWorkers < h.cpus) {
    knob = `the client could not keep up: raise load.num_workers (now ${h.numWorkers}, ${h.cpus} CPUs)`;
  } else {
    knob = `the client could not keep up with ${h.numWorkers} workers on ${h.cpus} CPUs: use a bigger machine or split the load`;
  }
  return [`Stage ${h.stageId}: ${what.join(", ")}; ${knob}`];
}
