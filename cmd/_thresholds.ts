// The thresholds of a command: the config's `thresholds:` list, then every --threshold flag, checked
// against what the config reports before any work starts (a bad one exits 2).
import { extractRepeated } from "../lib/cli/flags.ts";
import { defaultPercentiles } from "../lib/metrics/percentiles.ts";
import { compileThresholds, type Threshold } from "../lib/thresholds/compile.ts";

/** The slice of the config thresholds depend on; the full `Config` satisfies it. */
export interface ThresholdConfig {
  thresholds?: readonly string[] | undefined;
  report: {
    request_lifecycle: { percentiles?: readonly number[] | null | undefined };
    goodput?: { constraints?: Readonly<Record<string, number | undefined>> | undefined } | null | undefined;
  };
}

export function thresholdsOf(config: ThresholdConfig, rawArgs: readonly string[]): Threshold[] {
  const flags = extractRepeated(rawArgs, {
    name: "threshold",
    hint: 'an expression such as "ttft.p99 < 0.5"',
  });
  const constraints = config.report.goodput?.constraints ?? {};
  return compileThresholds(
    [
      ...(config.thresholds ?? []).map((text, i) => ({ text, origin: `thresholds[${i}]` })),
      ...flags.map((text) => ({ text, origin: "--threshold" })),
    ],
    {
      percentiles: config.report.request_lifecycle.percentiles ?? defaultPercentiles,
      goodput: Object.keys(constraints).filter((name) => constraints[name] !== undefined),
    },
  );
}
