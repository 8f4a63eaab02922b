// The simulated inference engine: slots, a FIFO waiting queue and token timing. Pure: the clock and
// the random numbers are injected, time moves only when the caller calls advance(now).
//
// Latency model (docs/simulator.md):
//   a sequence is admitted when one of maxNumSeqs slots is free (FIFO otherwise), at time A;
//   token 1 is due at A + prefillMs + prefillMsPerToken × (promptTokens − cachedTokens);
//   token k+1 is due at due(k) + itl, itl = itlMs × (1 + itlGrowth × (running − 1)) × max(0, 1 + itlJitter × N(0,1));
//   the slot frees at the due time of the last token, and the next waiting sequence is admitted then.
// Due times are model time, not the time the wheel happened to fire, so timer lateness never
// accumulates and a slot is held for exactly prefill + (n − 1) × itl. Hence, without growth or jitter,
// a saturated engine completes maxNumSeqs / (prefill + (n − 1) × itl) requests per ms.
import type { Rng } from "../load/rng.ts";
import type { SimOptions } from "./options.ts";
import { TimingWheel } from "./wheel.ts";

export type EngineParams = Pick<
  SimOptions,
  | "maxNumSeqs"
  | "prefillMs"
  | "prefillMsPerToken"
  | "itlMs"
  | "itlGrowth"
  | "itlJitter"
  | "outputLenMean"
  | "kvCacheTokens"
>;

export interface SeqSpec {
  model: string;
  promptTokens: number;
  /** Prompt tokens already in the prefix cache: their prefill is skipped. */
  cachedTokens?: number;
  maxTokens: number;
  ignoreEos: boolean;
}

export interface SeqListener {
  /**
   * Token `index` (0-based) is due at model time `dueMs`; `last` marks the final one. `nowMs` is the
   * time the caller passed to advance() (one clock read per tick, not per token).
   */
  onToken(index: number, last: boolean, dueMs: number, nowMs: number): void;
}

export type SeqState = "waiting" | "running" | "done" | "cancelled";

export interface Sequence {
  readonly id: number;
  readonly spec: SeqSpec;
  /** Tokens this sequence will produce (drawn at submit). */
  readonly outputTokens: number;
  readonly finishReason: "length" | "stop";
  readonly receivedMs: number;
  /** When it got a slot; NaN while waiting. */
  admittedMs: number;
  generated: number;
  state: SeqState;
  readonly listener: SeqListener;
}

export interface EngineStats {
  running: number;
  waiting: number;
  /** Highest running + waiting seen since the last resetPeaks(). */
  maxConcurrent: number;
  maxRunning: number;
  maxWaiting: number;
  submitted: number;
  finished: number;
  cancelled: number;
  /** Tokens held in the simulated KV cache (prompt + generated of running sequences). */
  kvTokens: number;
}

export interface Engine {
  submit(spec: SeqSpec, listener: SeqListener): Sequence;
  /** Free a sequence's slot or queue place (client went away, or a fault ended it). */
  cancel(seq: Sequence): void;
  /** Fire every token due by `nowMs`. */
  advance(nowMs: number): void;
  /** Entries on the wheel; the driver stops ticking at 0. */
  readonly pending: number;
  stats(): EngineStats;
  /** Running and waiting counts of one model name (base or adapter). */
  modelLoad(model: string): { running: number; waiting: number };
  resetPeaks(): void;
  readonly kvUsage: number;
}

export interface EngineDeps {
  now: () => number;
  rng: Rng;
  /** Called whenever an entry due at `dueMs` is put on the wheel, so a driver can schedule a tick. */
  onWake?: (dueMs: number) => void;
}

/** Output length: max_tokens with ignore_eos, else a seeded exponential draw (mean outputLenMean, ≥ 1) capped by it. */
export function drawOutputLength(
  spec: Pick<SeqSpec, "maxTokens" | "ignoreEos">,
  mean: number,
  rng: Rng,
): { tokens: number; finishReason: "length" | "stop" } {
  if (spec.ignoreEos) return { tokens: spec.maxTokens, finishReason: "length" };
  const natural = Math.max(1, Math.round(mean * rng.exponential()));
  if (natural >= spec.maxTokens) return { tokens: spec.maxTokens, finishReason: "length" };
  return { tokens: natural, finishReason: "stop" };
}

export function createEngine(params: EngineParams, deps: EngineDeps): Engine {
  const wheel = new TimingWheel<Sequence>();
  const queue: Sequence[] = [];
  let queueHead = 0;
  const perModel = new Map<string, { running: number; waiting: number }>();
  let nextId = 1;
  let running = 0;
  let kvTokens = 0;
  let advanceNow = Number.NaN;
  const s = { maxConcurrent: 0, maxRunning: 0, maxWaiting: 0, submitted: 0, finished: 0, cancelled: 0 };

  const load = (model: string) => {
    let entry = perModel.get(model);
    if (entry === undefined) {
      entry = { running: 0, waiting: 0 };
      perModel.set(model, entry);
    }
    return entry;
  };
  const waitingCount = () => queue.length - queueHead;

  function schedule(seq: Sequence, dueMs: number): void {
    wheel.add(dueMs, seq);
    deps.onWake?.(dueMs);
  }

  function admit(seq: Sequence, atMs: number): void {
    seq.state = "running";
    seq.admittedMs = atMs;
    running++;
    load(seq.spec.model).running++;
    kvTokens += seq.spec.promptTokens;
    if (running > s.maxRunning) s.maxRunning = running;
    const computed = seq.spec.promptTokens - (seq.spec.cachedTokens ?? 0);
    schedule(seq, atMs + params.prefillMs + params.prefillMsPerToken * computed);
  }

  function release(seq: Sequence, atMs: number): void {
    running--;
    load(seq.spec.model).running--;
    kvTokens -= seq.spec.promptTokens + seq.generated;
    while (running < params.maxNumSeqs && queueHead < queue.length) {
      const next = queue[queueHead] as Sequence;
      queueHead++;
      if (next.state !== "waiting") continue; // cancelled while queued
      load(next.spec.model).waiting--;
      admit(next, Math.max(atMs, next.receivedMs));
    }
    if (queueHead > 1024 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
  }

  function itl(): number {
    let value = params.itlMs * (1 + params.itlGrowth * (running - 1));
    if (params.itlJitter > 0) value *= Math.max(0, 1 + params.itlJitter * deps.rng.normal());
    return value;
  }

  function fire(seq: Sequence, dueMs: number): void {
    if (seq.state !== "running") return; // cancelled while on the wheel
    const index = seq.generated;
    seq.generated++;
    kvTokens++;
    const last = seq.generated >= seq.outputTokens;
    if (last) {
      seq.state = "done";
      s.finished++;
      release(seq, dueMs);
    } else {
      schedule(seq, dueMs + itl());
    }
    seq.listener.onToken(index, last, dueMs, advanceNow);
  }

  return {
    submit(spec, listener) {
      if (!Number.isInteger(spec.maxTokens) || spec.maxTokens < 1) {
        throw new RangeError(`maxTokens must be an integer >= 1, got ${spec.maxTokens}`);
      }
      const now = deps.now();
      const out = drawOutputLength(spec, params.outputLenMean, deps.rng);
      const seq: Sequence = {
        id: nextId++,
        spec,
        outputTokens: out.tokens,
        finishReason: out.finishReason,
        receivedMs: now,
        admittedMs: Number.NaN,
        generated: 0,
        state: "waiting",
        listener,
      };
      s.submitted++;
      if (running < params.maxNumSeqs && waitingCount() === 0) {
        admit(seq, now);
      } else {
        queue.push(seq);
        load(spec.model).waiting++;
        if (waitingCount() > s.maxWaiting) s.maxWaiting = waitingCount();
      }
      if (running + waitingCount() > s.maxConcurrent) s.maxConcurrent = running + waitingCount();
      return seq;
    },
    cancel(seq) {
      if (seq.state === "running") {
        seq.state = "cancelled";
        s.cancelled++;
        release(seq, deps.now());
      } else if (seq.state === "waiting") {
        seq.state = "cancelled";
        s.cancelled++;
        load(seq.spec.model).waiting--;
        const at = queue.indexOf(seq, queueHead);
        if (at >= 0) queue.splice(at, 1);
      }
    },
    advance(nowMs) {
      advanceNow = nowMs;
      wheel.advance(nowMs, fire);
    },
    get pending() {
      return wheel.size;
    },
    stats: () => ({ running, waiting: waitingCount(), kvTokens, ...s }),
    modelLoad: (model) => ({ ...load(model) }),
    resetPeaks() {
      s.maxConcurrent = running + waitingCount();
      s.maxRunning = running;
      s.maxWaiting = waitingCount();
    },
    get kvUsage() {
      return Math.min(1, kvTokens / params.kvCacheTokens);
    },
  };
}
