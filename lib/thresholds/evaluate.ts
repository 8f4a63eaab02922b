// Evaluates compiled thresholds on a finished run: each one for the whole run and for every stage
// (a stage-only metric for the stages alone), on the numbers the report files hold. A missing value
// (no samples, nothing succeeded) fails: a CI gate must not pass because nothing was measured. Pure.
import type { StageInfo } from "../load/stage.ts";
import type { RunReport } from "../metrics/collector.ts";
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";
import { lifecycleReport } from "../report/lifecycle-json.ts";
import type { MetricKind, ReportView } from "./catalogue.ts";
import type { Threshold } from "./compile.ts";
import { compare, type Operator } from "./parse.ts";

/** One threshold on one bucket; one element of the `--json` object's `thresholds` list (docs/scripting.md). */
export interface ThresholdResult {
  /** The expression as written. */
  expression: string;
  origin: string;
  metric: string;
  op: Operator;
  /** In the metric's unit: seconds, a fraction (0..1), a percentage (0..100) or a plain number. */
  limit: number;
  unit: MetricKind;
  scope: "run" | "stage";
  /** The stage id for scope "stage", else null. */
  stage: number | null;
  /** null when the bucket has no data for the metric (the threshold then fails). */
  value: number | null;
  passed: boolean;
  /** value − limit (how far above the limit, negative when below); null without a value. */
  delta: number | null;
}

export interface ThresholdReport {
  /** True when every result passed (also when there are no thresholds). */
  passed: boolean;
  /** Results that failed. */
  failed: number;
  results: ThresholdResult[];
}

interface Bucket {
  scope: "run" | "stage";
  stage: StageInfo | null;
  view: ReportView;
}

export function evaluateThresholds(thresholds: readonly Threshold[], report: RunReport): ThresholdReport {
  if (thresholds.length === 0) return { passed: true, failed: 0, results: [] };
  const buckets: Bucket[] = [
    { scope: "run", stage: null, view: viewOf(report.summary) },
    ...report.stages.map(({ info, metrics }) => ({
      scope: "stage" as const,
      stage: info,
      view: viewOf(metrics, info),
    })),
  ];
  const results: ThresholdResult[] = [];
  for (const threshold of thresholds) {
    for (const bucket of buckets) {
      if (!threshold.metric.applies(bucket.stage)) continue;
      const value = threshold.metric.read(bucket.view, bucket.stage);
      results.push({
        expression: threshold.text,
        origin: threshold.origin,
        metric: threshold.metric.name,
        op: threshold.op,
        limit: threshold.limit,
        unit: threshold.metric.kind,
        scope: bucket.scope,
        stage: bucket.stage?.id ?? null,
        value,
        passed: value !== null && compare(value, threshold.op, threshold.limit),
        delta: value === null ? null : value - threshold.limit,
      });
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  return { passed: failed === 0, failed, results };
}

/** The lifecycle report as its file holds it, numbers plain. */
function viewOf(metrics: MetricsSnapshot, stage?: StageInfo): ReportView {
  return JSON.parse(JSON.stringify(lifecycleReport(metrics, { stage }))) as ReportView;
}
