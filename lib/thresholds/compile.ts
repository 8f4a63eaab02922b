// Turns threshold expressions (the config's `thresholds:` list and `--threshold` flags) into checks
// against the metric catalogue, before anything runs: a malformed expression or a metric the run will
// not report is a config error (exit 2), every problem listed at once. Pure.
import { UserError } from "../cli/errors.ts";
import { suggest } from "../cli/suggest.ts";
import {
  type CatalogueContext,
  distributions,
  goodputMetricNames,
  type MetricDef,
  metricCatalogue,
  statisticsOf,
} from "./catalogue.ts";
import { type Operator, type ParsedThreshold, parseThreshold } from "./parse.ts";

export interface ThresholdSource {
  text: string;
  /** Where it was written, for messages and the JSON: `thresholds[0]` or `--threshold`. */
  origin: string;
}

export interface Threshold {
  text: string;
  origin: string;
  metric: MetricDef;
  op: Operator;
  /** The limit in the metric's own unit (seconds, a fraction, a percentage or a number). */
  limit: number;
}

export function compileThresholds(sources: readonly ThresholdSource[], ctx: CatalogueContext): Threshold[] {
  // Most runs have none: building the catalogue costs a few ms at the start (docs/PERFORMANCE.md "Start-up").
  if (sources.length === 0) return [];
  const catalogue = metricCatalogue(ctx);
  const out: Threshold[] = [];
  const problems: string[] = [];
  for (const { text, origin } of sources) {
    const parsed = parseThreshold(text);
    const where = `${origin} "${text.trim()}"`;
    if (!parsed.ok) {
      problems.push(`${where}: ${parsed.expected}`);
      continue;
    }
    const metric = catalogue.get(parsed.value.metric);
    if (metric === undefined) {
      problems.push(`${where}: ${explainUnknown(parsed.value.metric, ctx, catalogue)}`);
      continue;
    }
    const limit = limitIn(metric, parsed.value);
    if (typeof limit === "string") problems.push(`${where}: ${limit}`);
    else out.push({ text: parsed.value.text, origin, metric, op: parsed.value.op, limit });
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    throw new UserError(`Invalid thresholds: ${count}`, { details: problems });
  }
  return out;
}

/** The limit in the metric's unit, or what was expected instead. */
function limitIn(metric: MetricDef, parsed: ParsedThreshold): number | string {
  const { number, unit } = parsed;
  if (unit === null) return number;
  if (metric.kind === "seconds" && (unit === "s" || unit === "ms"))
    return unit === "ms" ? number / 1000 : number;
  if (metric.kind === "fraction" && unit === "%") return number / 100;
  if (metric.kind === "percent" && unit === "%") return number;
  const allowed: Record<MetricDef["kind"], string> = {
    seconds: 'no unit (seconds), "s" or "ms"',
    fraction: 'no unit (a fraction, 0 to 1) or "%"',
    percent: 'no unit or "%" (it is a percentage, 0 to 100)',
    number: "no unit",
  };
  return `expected ${allowed[metric.kind]} for ${metric.name}, got "${unit}"`;
}

function explainUnknown(name: string, ctx: CatalogueContext, catalogue: Map<string, MetricDef>): string {
  const [base = "", ...rest] = name.split(".");
  const longNames = Object.values(distributions).map((path) => path[path.length - 1]);
  if (base in distributions || longNames.includes(base)) {
    const stat = rest.join(".");
    const stats = statisticsOf(ctx.percentiles).filter((s) => s !== "p50");
    if (stat === "")
      return `expected a statistic after "${base}", e.g. "${base}.p99" (one of ${stats.join(", ")})`;
    if (/^p[\d.]+$/.test(stat)) {
      return `expected a percentile of report.request_lifecycle.percentiles (${ctx.percentiles.join(", ")}), got "${stat}": add it there to use it`;
    }
    return `expected a statistic of "${base}" (${stats.join(", ")}), got "${stat}"`;
  }
  const attainment = /^(\w+)_attainment_percentage$/.exec(name);
  if (ctx.goodput.length === 0 && (goodputMetricNames.includes(name) || attainment !== null)) {
    return `expected report.goodput.constraints to be set: goodput is reported only with constraints`;
  }
  if (attainment !== null && !ctx.goodput.includes(attainment[1] ?? "")) {
    return `expected a constraint "${attainment[1]}" in report.goodput.constraints, got none`;
  }
  const hint = suggest(name, catalogue.keys());
  return `unknown metric "${name}"${hint === undefined ? "" : `: did you mean "${hint}"?`}`;
}
