// One session's calls as a dependency graph, advanced by the caller's clock: which calls may go now,
// when the next one will, and how the session ended. Pure: no timers, no I/O; times are arguments.
//
// Rules (inference-perf's session replay):
//   - a root call is due at the session start; any other call once every predecessor has finished,
//     plus its think time: due = max(end of its predecessors) + waitMs;
//   - a call that fails fails the session: nothing more starts, calls in flight finish, every call
//     not started is cancelled (its dependents would lack their inputs);
//   - with a predecessor timeout T (ms, measured from the session start, as upstream's waits start
//     when the session's events are queued), a call still waiting for a predecessor at start + T
//     fails the session ("predecessor wait failed: TimeoutError");
//   - stop() (interrupt, stage timeout) starts nothing more; the session is then cut short.

/** The part of a session graph that scheduling reads. */
export interface SessionShape {
  /** predecessors[i]: calls that must finish before call i (indices into the same arrays). */
  readonly predecessors: readonly (readonly number[])[];
  /** Think time after the last predecessor ends, ms. */
  readonly waitMs: readonly number[];
}

export type SessionOutcome = "running" | "succeeded" | "failed" | "cut_short";

const BLOCKED = 0;
const DUE = 1; // all predecessors done; due at dueMs[i]
const RUNNING = 2;
const DONE = 3;
const FAILED = 4;

export class SessionProgress {
  readonly #shape: SessionShape;
  readonly #state: Uint8Array;
  readonly #dueMs: Float64Array;
  readonly #missing: Int32Array; // predecessors not yet done
  readonly #successors: number[][];
  readonly #deadlineMs: number;
  #running = 0;
  #completed = 0;
  #failedCalls = 0;
  #failure: string | null = null;
  #stopped = false;

  constructor(shape: SessionShape, startMs: number, opts: { predecessorTimeoutMs?: number | null } = {}) {
    const n = shape.predecessors.length;
    if (shape.waitMs.length !== n)
      throw new RangeError("SessionShape: waitMs and predecessors differ in length");
    this.#shape = shape;
    this.#state = new Uint8Array(n);
    this.#dueMs = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.#missing = new Int32Array(n);
    this.#successors = Array.from({ length: n }, () => []);
    shape.predecessors.forEach((preds, i) => {
      for (const p of preds) {
        if (!Number.isInteger(p) || p < 0 || p >= n || p === i)
          throw new RangeError(`SessionShape: call ${i} names predecessor ${p}`);
        this.#successors[p]!.push(i);
      }
      this.#missing[i] = preds.length;
      if (preds.length === 0) {
        this.#state[i] = DUE;
        this.#dueMs[i] = startMs + (shape.waitMs[i] ?? 0);
      }
    });
    const t = opts.predecessorTimeoutMs;
    this.#deadlineMs = t === null || t === undefined || t <= 0 ? Number.POSITIVE_INFINITY : startMs + t;
  }

  get size(): number {
    return this.#state.length;
  }

  /** Calls due by `nowMs`, in index order; each is marked running. Empty once failed or stopped. */
  takeDue(nowMs: number): number[] {
    this.#checkDeadline(nowMs);
    if (this.#failure !== null || this.#stopped) return [];
    const out: number[] = [];
    for (let i = 0; i < this.#state.length; i++) {
      if (this.#state[i] === DUE && this.#dueMs[i]! <= nowMs) {
        this.#state[i] = RUNNING;
        this.#running++;
        out.push(i);
      }
    }
    return out;
  }

  /** When takeDue() will next return something (or a timeout will fire); Infinity when only a finish can. */
  nextWakeMs(): number {
    if (this.#failure !== null || this.#stopped) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    let blocked = false;
    for (let i = 0; i < this.#state.length; i++) {
      if (this.#state[i] === DUE) next = Math.min(next, this.#dueMs[i]!);
      else if (this.#state[i] === BLOCKED) blocked = true;
    }
    return blocked ? Math.min(next, this.#deadlineMs) : next;
  }

  /** Call i ended at `atMs`; `ok` false fails the session with `reason`. */
  finished(i: number, atMs: number, ok: boolean, reason = "request failed"): void {
    if (this.#state[i] !== RUNNING) throw new RangeError(`Call ${i} finished but was not running`);
    this.#running--;
    if (!ok) {
      this.#state[i] = FAILED;
      this.#failedCalls++;
      this.#failure ??= reason;
      return;
    }
    this.#state[i] = DONE;
    this.#completed++;
    for (const s of this.#successors[i]!) {
      this.#dueMs[s] = Math.max(Number.isFinite(this.#dueMs[s]!) ? this.#dueMs[s]! : 0, atMs);
      if (--this.#missing[s]! === 0) {
        this.#state[s] = DUE;
        // Latest predecessor end (kept in dueMs while blocked) plus the call's think time.
        this.#dueMs[s] = this.#dueMs[s]! + (this.#shape.waitMs[s] ?? 0);
      }
    }
  }

  /** When call i was (or will be) due: its scheduled send time; Infinity while it waits for predecessors. */
  dueMs(i: number): number {
    return this.#dueMs[i]!;
  }

  /** Call i, taken as due, was never sent (stopped while it waited for a slot): it counts as not started. */
  abandoned(i: number): void {
    if (this.#state[i] !== RUNNING) throw new RangeError(`Call ${i} abandoned but was not running`);
    this.#state[i] = DUE;
    this.#running--;
    this.#stopped = true;
  }

  /** Start nothing more (interrupt, stage timeout): the session ends cut short once its calls return. */
  stop(): void {
    this.#stopped = true;
  }

  #checkDeadline(nowMs: number): void {
    if (this.#failure !== null || nowMs < this.#deadlineMs) return;
    for (let i = 0; i < this.#state.length; i++) {
      if (this.#state[i] === BLOCKED) {
        this.#failure = "predecessor wait failed: TimeoutError";
        return;
      }
    }
  }

  /** True once nothing is running and nothing more will start. */
  get settled(): boolean {
    if (this.#running > 0) return false;
    return this.#failure !== null || this.#stopped || this.#completed === this.#state.length;
  }

  get outcome(): SessionOutcome {
    if (!this.settled) return "running";
    if (this.#failure !== null) return "failed";
    if (this.#completed === this.#state.length) return "succeeded";
    return "cut_short";
  }

  get failure(): string | null {
    return this.#failure;
  }

  get completed(): number {
    return this.#completed;
  }

  get failedCalls(): number {
    return this.#failedCalls;
  }

  get running(): number {
    return this.#running;
  }

  /** Calls never started (cancelled when the session failed or was stopped). */
  get notStarted(): number {
    return this.#state.length - this.#completed - this.#failedCalls - this.#running;
  }
}
