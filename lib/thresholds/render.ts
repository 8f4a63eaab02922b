// The thresholds' lines under the summary table: one per threshold, passed or failed, with each
// bucket's value and, for a failure, by how much it missed. Pure: returns text.
import type { MetricKind } from "./catalogue.ts";
import type { ThresholdReport, ThresholdResult } from "./evaluate.ts";

export interface RenderOptions {
  /** ANSI colours (only on a terminal). */
  color?: boolean | undefined;
}

export function thresholdLines(report: ThresholdReport, options: RenderOptions = {}): string[] {
  if (report.results.length === 0) return [];
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const byThreshold = new Map<string, ThresholdResult[]>();
  for (const result of report.results) {
    const key = `${result.origin}\u0000${result.expression}`;
    byThreshold.set(key, [...(byThreshold.get(key) ?? []), result]);
  }
  const thresholds = byThreshold.size;
  const failing = [...byThreshold.values()].filter((rs) => rs.some((r) => !r.passed)).length;
  const lines = [
    failing === 0 ? `Thresholds: all ${thresholds} passed` : `Thresholds: ${failing} of ${thresholds} failed`,
  ];
  const width = Math.max(...[...byThreshold.values()].map((rs) => rs[0]!.expression.length));
  for (const results of byThreshold.values()) {
    const ok = results.every((r) => r.passed);
    const mark = ok ? paint(32, "✓") : paint(31, "✗");
    const scopes = results.map((r) => `${r.scope === "run" ? "run" : `stage ${r.stage}`} ${describe(r)}`);
    lines.push(`  ${mark} ${results[0]!.expression.padEnd(width)}  ${scopes.join(" · ")}`);
  }
  return lines;
}

function describe(r: ThresholdResult): string {
  if (r.value === null) return "no data";
  const value = formatValue(r.value, r.unit);
  if (r.passed) return value;
  const gap = formatValue(Math.abs(r.value - r.limit), r.unit);
  if (r.op === "!=") return `${value} (equal)`;
  if (r.op === "==") return `${value} (off by ${gap})`;
  return `${value} (${gap} ${r.op.startsWith("<") ? "over" : "under"})`;
}

/** Seconds below 1 s in ms (as the table), fractions as percentages. */
export function formatValue(value: number, unit: MetricKind): string {
  if (unit === "seconds") return Math.abs(value) < 1 ? `${round(value * 1000)} ms` : `${round(value)} s`;
  if (unit === "fraction") return `${round(value * 100)}%`;
  if (unit === "percent") return `${round(value)}%`;
  return round(value);
}

/** Four significant digits, no exponent for the usual magnitudes, no trailing zeros. */
function round(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return String(Number(value.toFixed(Math.min(digits, 6))));
}
