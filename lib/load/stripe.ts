// Exact splits of a stage's work across workers. Pure. The union of the slices is always the whole
// schedule: no request is lost to rounding (never floor(total / workers)).

/** One worker's share of a stage: the schedule indices it sends, and their offsets (ms from t0). */
export interface Slice {
  /** Indices into the stage's schedule, ascending. */
  indices: Uint32Array;
  /** offsets[k] is when indices[k] is due; null for a closed loop (every request due at once). */
  offsets: Float64Array | null;
}

/** Worker i gets schedule entries i, i + n, i + 2n, … (every n-th send time; partitioned scheduling). */
export function stripeOffsets(offsets: Float64Array, workers: number): Slice[] {
  checkWorkers(workers);
  const slices: Slice[] = [];
  for (let w = 0; w < workers; w++) {
    const count = w < offsets.length ? Math.ceil((offsets.length - w) / workers) : 0;
    const indices = new Uint32Array(count);
    const mine = new Float64Array(count);
    for (let k = 0, i = w; k < count; k++, i += workers) {
      indices[k] = i;
      mine[k] = offsets[i]!;
    }
    slices.push({ indices, offsets: mine });
  }
  return slices;
}

/** inference-perf's split of L permits over n workers: L // n, plus one for the first L % n workers. */
export function splitEvenly(total: number, workers: number): number[] {
  checkWorkers(workers);
  const base = Math.floor(total / workers);
  const extra = total % workers;
  return Array.from({ length: workers }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * A closed-loop stage: `concurrency` slots split over the workers, and request j goes to the worker that
 * owns slot j % concurrency, so every worker's share is proportional to its slots and the level holds
 * until the last round.
 */
export function stripeClosedLoop(numRequests: number, concurrency: number, workers: number): Slice[] {
  const slots = splitEvenly(concurrency, workers);
  const ownerOfSlot = new Uint32Array(concurrency);
  let s = 0;
  slots.forEach((count, w) => {
    for (let k = 0; k < count; k++) ownerOfSlot[s++] = w;
  });
  const counts = new Array<number>(workers).fill(0);
  for (let j = 0; j < numRequests; j++) counts[ownerOfSlot[j % concurrency]!]!++;
  const indices = counts.map((c) => new Uint32Array(c));
  const fill = new Array<number>(workers).fill(0);
  for (let j = 0; j < numRequests; j++) {
    const w = ownerOfSlot[j % concurrency]!;
    indices[w]![fill[w]!++] = j;
  }
  return indices.map((ix) => ({ indices: ix, offsets: null }));
}

/**
 * Sessions kept whole: request i belongs to slot i mod `slots` (a conversation), and every request of
 * slot s goes to worker s mod n, in order, so one Worker sees every turn of a conversation. `offsets`
 * null: a closed loop of `count` requests.
 */
export function stripeBySlot(
  count: number,
  offsets: Float64Array | null,
  slots: number,
  workers: number,
): Slice[] {
  checkWorkers(workers);
  if (!Number.isInteger(slots) || slots < 1)
    throw new RangeError(`Slots must be an integer >= 1, got ${slots}`);
  const counts = new Array<number>(workers).fill(0);
  for (let i = 0; i < count; i++) counts[(i % slots) % workers]!++;
  const indices = counts.map((c) => new Uint32Array(c));
  const mine = offsets === null ? null : counts.map((c) => new Float64Array(c));
  const fill = new Array<number>(workers).fill(0);
  for (let i = 0; i < count; i++) {
    const w = (i % slots) % workers;
    const k = fill[w]!++;
    indices[w]![k] = i;
    if (mine !== null) mine[w]![k] = offsets![i]!;
  }
  return indices.map((ix, w) => ({ indices: ix, offsets: mine === null ? null : mine[w]! }));
}

function checkWorkers(workers: number): void {
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`Workers must be an integer >= 1, got ${workers}`);
}
