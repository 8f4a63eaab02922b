// Accumulates the request records of one bucket (a stage, an adapter, an adapter in a stage, the
// whole run): constant cost per record (plus one step per token event), bounded memory (see
// distribution.ts), associative merge, and snapshot() to a plain value the report renderers read. Pure.
import { failureLabel } from "../api/failure.ts";
import { outputTokens, type RequestRecord } from "../record/record.ts";
import { type ConnectionStats, ConnectionTally } from "./connections.ts";
import { Distribution, type Summary } from "./distribution.ts";
import {
  emptyGoodputSample,
  type GoodputConstraints,
  GoodputCounter,
  type GoodputSample,
  type GoodputSnapshot,
} from "./goodput.ts";
import { type MediaSnapshot, MediaTally } from "./media.ts";
import { type RetrySnapshot, RetryTally } from "./retries.ts";

export interface StageMetricsOptions {
  percentiles: readonly number[];
  /** Distinct messages kept per failure label (report.request_lifecycle.max_error_messages). */
  maxErrorMessages: number;
  exactLimit?: number | undefined;
  /** Keep every success's send and end time (`MetricsSnapshot.completions`), for the sweep's probe. */
  keepCompletions?: boolean | undefined;
  /** report.goodput.constraints: judge each success against them (goodput.ts). */
  goodput?: GoodputConstraints | null | undefined;
}

/**
 * A request that left more than this after its send time counts as late: 1 ms is a whole gap between
 * sends at 1,000 req/s, and the p99 schedule delay the pacing aims under (docs/PERFORMANCE.md "Pacing cost").
 */
export const LATE_SEND_MS = 1;

/** One successful request's send and end time, ms on the shared clock. */
export interface Completion {
  sentMs: number;
  endMs: number;
}

export interface LabelCount {
  count: number;
  messages: string[];
}

/** A snapshot of a bucket: every number its lifecycle report needs, seconds for times. */
export interface MetricsSnapshot {
  count: number;
  successCount: number;
  failureCount: number;
  /** min(send), max(send), max(end) over all requests, ms on the shared clock; NaN when empty. */
  firstSentMs: number;
  lastSentMs: number;
  lastEndMs: number;
  scheduleDelay: Summary | null;
  /** Median schedule delay in seconds (whatever percentiles the report asks for), NaN when empty. */
  medianScheduleDelayS: number;
  requestLatency: Summary | null;
  ntpot: Summary | null;
  tpot: Summary | null;
  ttft: Summary | null;
  itl: Summary | null;
  requestSizeBytes: Summary | null;
  promptTokens: Summary | null;
  outputLen: Summary | null;
  outputTokens: Summary | null;
  failureLatency: Summary | null;
  failurePromptTokens: Summary | null;
  /** Sums over successes (output = server count when present, else client). */
  totalPromptTokens: number;
  totalCachedTokens: number;
  totalOutputTokens: number;
  failureTotalPromptTokens: number;
  failureTotalCachedTokens: number;
  tokenCountMismatches: number;
  /** Successes whose counts came from the client tokenizer rather than the server's usage. */
  clientPromptCounts: number;
  clientOutputCounts: number;
  /** Successes whose output was checked as JSON (api.response_format), and those that did not parse. */
  jsonChecked: number;
  jsonInvalid: number;
  byLabel: Record<string, LabelCount>;
  byKind: Record<string, number>;
  /** False when some distribution switched to its sketch (percentiles within 0.1%). */
  exact: boolean;
  /** Every success's send and end time when the accumulator keeps them, else null. */
  completions: readonly Completion[] | null;
  // inferload's own: how requests used connections, and how many ITL gaps are two events of one read.
  connections: ConnectionStats;
  /** ITL gaps (the samples of `itl`), and those between two events of the same socket read (exactly 0). */
  itlGaps: number;
  sameReadGaps: number;
  /** Requests that left more than LATE_SEND_MS after their send time (the schedule's tail, in a count). */
  lateSends: number;
  /** Goodput counts when report.goodput has constraints, else null. */
  goodput: GoodputSnapshot | null;
  /** Image, video and audio stats; null when no request of the bucket carried media. */
  media: MediaSnapshot | null;
  /** Retry activity (load.request_retries); null when no request of the bucket was sent twice. */
  retries: RetrySnapshot | null;
}

export class StageMetrics {
  readonly #options: StageMetricsOptions;
  #count = 0;
  #successes = 0;
  #failures = 0;
  #firstSentMs = Number.POSITIVE_INFINITY;
  #lastSentMs = Number.NEGATIVE_INFINITY;
  #lastEndMs = Number.NEGATIVE_INFINITY;
  #totals: Totals = {
    prompt: 0,
    cached: 0,
    output: 0,
    failPrompt: 0,
    failCached: 0,
    mismatches: 0,
    clientPrompt: 0,
    clientOutput: 0,
    itlGaps: 0,
    sameReadGaps: 0,
    lateSends: 0,
    jsonChecked: 0,
    jsonInvalid: 0,
  };
  #labels = new Map<string, { count: number; messages: Set<string> }>();
  #kinds = new Map<string, number>();
  readonly #d: Record<DistName, Distribution>;
  readonly #completions: Completion[] | null;
  #connections: ConnectionTally;
  readonly #goodput: GoodputCounter | null;
  /** Reused for every success: the goodput counter reads it and keeps nothing. */
  readonly #goodputSample = emptyGoodputSample();
  #media: MediaTally;
  #retries: RetryTally;

  constructor(options: StageMetricsOptions) {
    this.#options = options;
    this.#d = newDistributions(options.exactLimit);
    this.#completions = options.keepCompletions ? [] : null;
    this.#connections = new ConnectionTally(options.exactLimit);
    this.#goodput = GoodputCounter.create(options.goodput);
    this.#media = new MediaTally(options.exactLimit);
    this.#retries = new RetryTally(options.exactLimit);
  }

  get count(): number {
    return this.#count;
  }

  add(record: RequestRecord): void {
    const d = this.#d;
    this.#count++;
    if (record.sentMs < this.#firstSentMs) this.#firstSentMs = record.sentMs;
    if (record.sentMs > this.#lastSentMs) this.#lastSentMs = record.sentMs;
    if (record.endMs > this.#lastEndMs) this.#lastEndMs = record.endMs;
    const delayMs = record.sentMs - record.scheduledMs;
    d.scheduleDelay.add(delayMs / 1000);
    if (delayMs > LATE_SEND_MS) this.#totals.lateSends++;
    this.#connections.add(record);
    this.#media.add(record);
    if (record.attempts > 1) this.#retries.add(record);
    if (record.failure !== null) {
      this.#failures++;
      d.failureLatency.add((record.endMs - record.sentMs) / 1000);
      if (record.promptTokens >= 0) d.failurePromptTokens.add(record.promptTokens); // -1: never counted
      this.#totals.failPrompt += Math.max(0, record.promptTokens);
      this.#totals.failCached += record.cachedPromptTokens;
      this.#countFailure(record);
      return;
    }
    this.#successes++;
    this.#completions?.push({ sentMs: record.sentMs, endMs: record.endMs });
    // requestLatency() and forEachItlGap() (latency.ts) written out: same arithmetic, in the same
    // order, without the per-record result object and callback (this runs for every record).
    const output = outputTokens(record);
    const latencyS = (record.endMs - record.sentMs) / 1000;
    d.requestLatency.add(latencyS);
    d.ntpot.add(output > 0 ? latencyS / output : 0);
    const events = record.tokenEventMs;
    let itlSumS = 0;
    if (record.streamed && events.length > 0) {
      const first = events[0] as number;
      const last = events[events.length - 1] as number;
      if (output > 1 && events.length > 1) d.tpot.add((last - first) / 1000 / (output - 1));
      d.ttft.add((first - record.sentMs) / 1000);
      const itl = d.itl;
      let previous = first;
      // Each socket read has one receive stamp, so a gap of exactly 0 joins two events of one read.
      let sameRead = 0;
      for (let i = 1; i < events.length; i++) {
        const at = events[i] as number;
        const gapS = (at - previous) / 1000;
        itl.add(gapS);
        itlSumS += gapS;
        if (at === previous) sameRead++;
        previous = at;
      }
      this.#totals.itlGaps += events.length - 1;
      this.#totals.sameReadGaps += sameRead;
    }
    if (this.#goodput !== null) {
      // The sum of the gaps is known only here; #goodputSampleOf() sets the others.
      const timed = record.streamed && events.length > 1;
      this.#goodputSample.itl = timed ? itlSumS / (events.length - 1) : Number.NaN;
      this.#goodput.add(this.#goodputSampleOf(record, output));
    }
    d.requestSizeBytes.add(record.requestBytes);
    if (record.promptTokens >= 0) d.promptTokens.add(record.promptTokens);
    d.outputTokens.add(output);
    // output_len is the client's count in inference-perf; without one we fall back to the server's.
    d.outputLen.add(record.clientOutputTokens >= 0 ? record.clientOutputTokens : output);
    const t = this.#totals;
    t.prompt += Math.max(0, record.promptTokens);
    t.cached += record.cachedPromptTokens;
    t.output += output;
    if (record.promptTokensSource === "client") t.clientPrompt++;
    if (record.serverOutputTokens < 0) t.clientOutput++;
    if (record.outputJson !== undefined) {
      t.jsonChecked++;
      if (record.outputJson === "invalid") t.jsonInvalid++;
    }
    if (
      record.serverOutputTokens >= 0 &&
      record.clientOutputTokens >= 0 &&
      record.serverOutputTokens !== record.clientOutputTokens
    ) {
      t.mismatches++;
    }
  }

  /**
   * inference-perf's per-request values for goodput (goodput.ts): TTFT, TPOT and ITL exist only for a
   * streamed answer with more than one token timestamp, unlike our TTFT distribution (docs/metrics.md).
   */
  #goodputSampleOf(record: RequestRecord, output: number): GoodputSample {
    const sample = this.#goodputSample;
    const events = record.tokenEventMs;
    const timed = record.streamed && events.length > 1;
    const first = events[0] as number;
    const last = events[events.length - 1] as number;
    const latencyS = (record.endMs - record.sentMs) / 1000;
    sample.ttft = timed ? (first - record.sentMs) / 1000 : Number.NaN;
    sample.tpot = timed && output > 1 ? (last - first) / 1000 / (output - 1) : Number.NaN;
    sample.ntpot = output > 0 ? latencyS / output : 0;
    sample.request_latency = latencyS;
    sample.sentMs = record.sentMs;
    sample.endMs = record.endMs;
    sample.tokens = Math.max(0, record.promptTokens) + output;
    return sample;
  }

  #countFailure(record: RequestRecord): void {
    const kind = record.failure ?? "other";
    this.#kinds.set(kind, (this.#kinds.get(kind) ?? 0) + 1);
    const label = failureLabel(kind, record.status, record.errorMessage);
    let entry = this.#labels.get(label);
    if (entry === undefined) this.#labels.set(label, (entry = { count: 0, messages: new Set() }));
    entry.count++;
    if (entry.messages.size < this.#options.maxErrorMessages) entry.messages.add(record.errorMessage);
  }

  /** A new accumulator holding both (neither input changes). Associative. */
  static merge(a: StageMetrics, b: StageMetrics): StageMetrics {
    const out = new StageMetrics(a.#options);
    out.#completions?.push(...(a.#completions ?? []), ...(b.#completions ?? []));
    for (const src of [a, b]) {
      out.#count += src.#count;
      out.#successes += src.#successes;
      out.#failures += src.#failures;
      out.#firstSentMs = Math.min(out.#firstSentMs, src.#firstSentMs);
      out.#lastSentMs = Math.max(out.#lastSentMs, src.#lastSentMs);
      out.#lastEndMs = Math.max(out.#lastEndMs, src.#lastEndMs);
      for (const key of totalKeys) out.#totals[key] += src.#totals[key];
      if (src.#goodput !== null) out.#goodput?.mergeFrom(src.#goodput);
      for (const [kind, n] of src.#kinds) out.#kinds.set(kind, (out.#kinds.get(kind) ?? 0) + n);
      for (const [label, entry] of src.#labels) {
        let mine = out.#labels.get(label);
        if (mine === undefined) out.#labels.set(label, (mine = { count: 0, messages: new Set() }));
        mine.count += entry.count;
        for (const message of entry.messages)
          if (mine.messages.size < a.#options.maxErrorMessages) mine.messages.add(message);
      }
    }
    for (const name of distNames) out.#d[name] = Distribution.merge(a.#d[name], b.#d[name]);
    out.#connections = ConnectionTally.merge(a.#connections, b.#connections);
    out.#media = MediaTally.merge(a.#media, b.#media);
    out.#retries = RetryTally.merge(a.#retries, b.#retries);
    return out;
  }

  /** Summarizes without changing the accumulator, so a stage can be reported and still merged later. */
  snapshot(): MetricsSnapshot {
    const p = this.#options.percentiles;
    const d = this.#d;
    const s = (name: DistName) => d[name].summarize(p);
    const empty = this.#count === 0;
    const byLabel: Record<string, LabelCount> = {};
    // Labels by descending count, as inference-perf orders them; ties keep first-seen order.
    for (const [label, entry] of [...this.#labels].sort((x, y) => y[1].count - x[1].count)) {
      byLabel[label] = { count: entry.count, messages: [...entry.messages] };
    }
    const connections = this.#connections.close(p);
    const media = this.#media.snapshot(p);
    const retries = this.#retries.snapshot(p);
    return {
      count: this.#count,
      successCount: this.#successes,
      failureCount: this.#failures,
      firstSentMs: empty ? Number.NaN : this.#firstSentMs,
      lastSentMs: empty ? Number.NaN : this.#lastSentMs,
      lastEndMs: empty ? Number.NaN : this.#lastEndMs,
      scheduleDelay: s("scheduleDelay"),
      medianScheduleDelayS: d.scheduleDelay.summarize([50])?.median ?? Number.NaN,
      requestLatency: s("requestLatency"),
      ntpot: s("ntpot"),
      tpot: s("tpot"),
      ttft: s("ttft"),
      itl: s("itl"),
      requestSizeBytes: s("requestSizeBytes"),
      promptTokens: s("promptTokens"),
      outputLen: s("outputLen"),
      outputTokens: s("outputTokens"),
      failureLatency: s("failureLatency"),
      failurePromptTokens: s("failurePromptTokens"),
      totalPromptTokens: this.#totals.prompt,
      totalCachedTokens: this.#totals.cached,
      totalOutputTokens: this.#totals.output,
      failureTotalPromptTokens: this.#totals.failPrompt,
      failureTotalCachedTokens: this.#totals.failCached,
      tokenCountMismatches: this.#totals.mismatches,
      clientPromptCounts: this.#totals.clientPrompt,
      clientOutputCounts: this.#totals.clientOutput,
      jsonChecked: this.#totals.jsonChecked,
      jsonInvalid: this.#totals.jsonInvalid,
      byLabel,
      byKind: Object.fromEntries(this.#kinds),
      exact:
        distNames.every((name) => d[name].exact) &&
        connections.exact &&
        (media?.exact ?? true) &&
        (retries?.exact ?? true),
      completions: this.#completions === null ? null : [...this.#completions],
      connections,
      itlGaps: this.#totals.itlGaps,
      sameReadGaps: this.#totals.sameReadGaps,
      lateSends: this.#totals.lateSends,
      goodput: this.#goodput?.snapshot() ?? null,
      media,
      retries,
    };
  }
}

interface Totals {
  prompt: number;
  cached: number;
  output: number;
  failPrompt: number;
  failCached: number;
  mismatches: number;
  clientPrompt: number;
  clientOutput: number;
  itlGaps: number;
  sameReadGaps: number;
  lateSends: number;
  jsonChecked: number;
  jsonInvalid: number;
}
const totalKeys: readonly (keyof Totals)[] = [
  "prompt",
  "cached",
  "output",
  "failPrompt",
  "failCached",
  "mismatches",
  "clientPrompt",
  "clientOutput",
  "itlGaps",
  "sameReadGaps",
  "lateSends",
  "jsonChecked",
  "jsonInvalid",
];

const distNames = [
  "scheduleDelay",
  "requestLatency",
  "ntpot",
  "tpot",
  "ttft",
  "itl",
  "requestSizeBytes",
  "promptTokens",
  "outputLen",
  "outputTokens",
  "failureLatency",
  "failurePromptTokens",
] as const;
type DistName = (typeof distNames)[number];

/** An object literal rather than Object.fromEntries: one fixed shape, so `d.itl` is a plain field load. */
function newDistributions(exactLimit: number | undefined): Record<DistName, Distribution> {
  const make = () => new Distribution(exactLimit);
  return {
    scheduleDelay: make(),
    requestLatency: make(),
    ntpot: make(),
    tpot: make(),
    ttft: make(),
    itl: make(),
    requestSizeBytes: make(),
    promptTokens: make(),
    outputLen: make(),
    outputTokens: make(),
    failureLatency: make(),
    failurePromptTokens: make(),
  };
}
