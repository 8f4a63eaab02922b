// What the run layer sees of a server-metrics source, whichever it is (a Prometheus server queried
// after the run, or our own scrapes during it): a check before load, stage boundaries, and at the
// end one set of results per window. Types only.
import type { StageInfo } from "../load/stage.ts";
import type { MetricSpec } from "./catalog.ts";
import type { ServerMetricValues } from "./results.ts";

export interface StageValues {
  readonly id: number;
  readonly values: ServerMetricValues;
}

export interface ServerMetricsOutcome {
  /** The whole run (first stage start to the end), or null when it could not be had. */
  readonly summary: ServerMetricValues | null;
  /** Per reported stage, in order; a stage whose window failed is left out. */
  readonly stages: readonly StageValues[];
  /** The catalog the values follow (field names and metric names). */
  readonly specs: readonly MetricSpec[];
  /** Problems met (unreachable, errors, garbage), one line each; the report says them once. */
  readonly warnings: readonly string[];
}

export interface FinishOptions {
  summary: boolean;
  perStage: boolean;
}

export interface ServerMetricsSource {
  /** What the log calls it: "Prometheus at http://…", "scraping http://…/metrics". */
  readonly description: string;
  /** Before any load: null when the source answers, else why not. */
  check(): Promise<string | null>;
  /** Called (and awaited) just before a stage's first send. */
  stageStarting(stageId: number): Promise<void>;
  /** Called (and awaited) when a stage's last request has finished. */
  stageEnded(info: StageInfo): Promise<void>;
  /** After the last stage: the results. Never throws; problems land in `warnings`. */
  finish(options: FinishOptions): Promise<ServerMetricsOutcome>;
  /** Stops timers; safe to call more than once. */
  close(): void;
}
