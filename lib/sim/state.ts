// Everything one running simulator shares across requests: options, engine, metrics, random streams,
// counters, and the one driver that ticks the engine's timing wheel for every open stream.
import type { Tokenizer } from "../data/types.ts";
import { createRng, type Rng } from "../load/rng.ts";
import { nowMs } from "../runtime/clock.ts";
import { createEngine, type Engine } from "./engine.ts";
import { SimMetrics } from "./metrics.ts";
import { type MetricsStyle, parseMediaLimits, type SimOptions } from "./options.ts";
import { PrefixCache } from "./prefix-cache.ts";
import type { TruthSink } from "./truth-log.ts";
import { singleTokenWords } from "./vocab.ts";

export interface SimStats {
  /** Sequences decoding now, and waiting for a slot. */
  running: number;
  waiting: number;
  /** HTTP requests open right now (including ones still sending their body or delayed). */
  inFlight: number;
  /** Highest running + waiting seen (since start or resetPeaks()). */
  maxConcurrent: number;
  maxRunning: number;
  maxWaiting: number;
  /** Valid requests received per served name (base model and adapters). */
  requestsByModel: Record<string, number>;
  /** HTTP requests received on any route. */
  httpRequests: number;
  completed: number;
  cancelled: number;
  faults: Record<string, number>;
}

export interface SimState {
  readonly options: SimOptions;
  readonly models: readonly string[];
  readonly engine: Engine;
  readonly metrics: SimMetrics;
  /** Null with prefix caching off. */
  readonly prefixCache: PrefixCache | null;
  readonly tokenizer: Tokenizer;
  readonly words: readonly string[];
  /** The same words JSON-encoded, index for index. */
  readonly wordsJson: readonly string[];
  /**
   * Tokens in a prompt text: with the tokenizer, memoised (counting costs ~1 µs per token and
   * benchmarks repeat prompts); or one per word (options.promptCount).
   */
  countTokens(text: string): number;
  /** --limit-mm-per-prompt, parsed (the option check has refused a malformed value). */
  readonly mediaLimits: Partial<Record<"image" | "video" | "audio", number>>;
  readonly textRng: Rng;
  readonly faultRng: Rng;
  readonly truth: TruthSink | null;
  readonly clock: () => number;
  readonly counters: { inFlight: number; httpRequests: number; completed: number; nextId: number };
  readonly faults: Record<string, number>;
  stats(): SimStats;
  renderMetrics(): string;
  /** Run `fn` once the current wheel advance has fired every due token (coalesces a stream's writes). */
  afterAdvance(fn: () => void): void;
  /** Stop the wheel driver (pending timers) for shutdown. */
  stopTicking(): void;
}

export function createSimState(
  options: SimOptions,
  deps: { tokenizer: Tokenizer; truth: TruthSink | null; clock?: () => number },
): SimState {
  const clock = deps.clock ?? nowMs;
  // Separate streams, so turning a fault on does not change output lengths or text.
  const engineRng = createRng(options.seed);
  const textRng = createRng(options.seed + 1);
  const faultRng = createRng(options.seed + 2);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let immediate = false;
  let stopped = false;

  // The driver: one timer for all streams, re-armed every ~1 ms while the wheel holds entries.
  // Entries due now (zero prefill/ITL) run on setImmediate instead of waiting for the next tick.
  const after: (() => void)[] = [];
  const run = () => {
    engine.advance(clock());
    // A stream that fell behind gets all its due tokens in one write, so an overloaded simulator
    // spends less per token and catches up, instead of falling further behind.
    for (let i = 0; i < after.length; i++) (after[i] as () => void)();
    after.length = 0;
    if (engine.pending > 0 && timer === null && !stopped) timer = setTimeout(onTimer, 1);
  };
  const onTimer = () => {
    timer = null;
    run();
  };
  const onImmediate = () => {
    immediate = false;
    run();
  };
  const engine = createEngine(options, {
    now: clock,
    rng: engineRng,
    onWake: (dueMs) => {
      if (stopped) return;
      if (dueMs <= clock()) {
        if (!immediate) {
          immediate = true;
          setImmediate(onImmediate);
        }
      } else if (timer === null) {
        timer = setTimeout(onTimer, 1);
      }
    },
  });
  const models = [options.model, ...options.loras];
  const words = singleTokenWords(deps.tokenizer);
  const metrics = new SimMetrics(models, {
    style: options.metricsStyle as MetricsStyle,
    maxModelLen: options.maxModelLen,
  });
  const counters = { inFlight: 0, httpRequests: 0, completed: 0, nextId: 1 };
  const faults: Record<string, number> = {
    "429": 0,
    "500": 0,
    "503": 0,
    cut: 0,
    malformed: 0,
    error_event: 0,
    drop: 0,
  };

  const counted = new Map<string, number>();
  const countTokens =
    options.promptCount === "words"
      ? countWords
      : (text: string) => {
          let n = counted.get(text);
          if (n === undefined) {
            n = deps.tokenizer.count(text);
            if (counted.size >= 4096) counted.clear(); // bounded; a cleared cache only costs recounting
            counted.set(text, n);
          }
          return n;
        };

  return {
    options,
    models,
    countTokens,
    mediaLimits: parseMediaLimits(options.limitMmPerPrompt) ?? {},
    engine,
    metrics,
    prefixCache: options.disablePrefixCaching ? null : new PrefixCache(options.kvCacheTokens),
    tokenizer: deps.tokenizer,
    words,
    wordsJson: words.map((w) => JSON.stringify(w)),
    textRng,
    faultRng,
    truth: deps.truth,
    clock,
    counters,
    faults,
    stats() {
      const e = engine.stats();
      return {
        running: e.running,
        waiting: e.waiting,
        inFlight: counters.inFlight,
        maxConcurrent: e.maxConcurrent,
        maxRunning: e.maxRunning,
        maxWaiting: e.maxWaiting,
        requestsByModel: Object.fromEntries(models.map((m) => [m, metrics.requestCount(m)])),
        httpRequests: counters.httpRequests,
        completed: counters.completed,
        cancelled: e.cancelled,
        faults: { ...faults },
      };
    },
    renderMetrics() {
      const { running, waiting, maxConcurrent } = engine.stats();
      return metrics.render({
        running,
        waiting,
        modelLoad: (m) => engine.modelLoad(m),
        kvUsage: engine.kvUsage,
        maxConcurrent,
        httpInFlight: counters.inFlight,
        maxLoras: options.loras.length,
        faults,
      });
    },
    afterAdvance(fn) {
      after.push(fn);
    },
    stopTicking() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Whitespace-separated words in `text`: one pass over its characters, no allocation. */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ASCII whitespace and the Unicode spaces JSON text may carry (NBSP, U+2000-200A, U+3000 …).
    const space =
      c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || (c >= 0x2000 && c <= 0x200a) || c === 0x3000;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return words;
}
