// Server-side metrics around a run: the source the config asks for is checked before any load (an
// unreachable one stops the run with exit 1, unless the user opted to go on without it), told the
// stage boundaries, and asked for its results once the client-side reports are safely written. Any
// problem after the start is a warning: the client-side benchmark is never lost to server metrics.
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { log } from "../cli/log.ts";
import type { Config } from "../config/schema.ts";
import type { RunReport } from "../metrics/collector.ts";
import {
  type ServerMetricsReports,
  serverMetricsReports,
  writeServerMetricsReports,
} from "../report/server-metrics-files.ts";
import { createServerMetricsSource } from "../server-metrics/create.ts";
import { absentMetrics } from "../server-metrics/results.ts";
import type { ServerMetricsSource } from "../server-metrics/source.ts";

export interface StartOptions {
  /** Go on without server metrics when the source does not answer at the start. */
  optional: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** The checked source, or null when the config asks for none (or it is optional and down). */
export async function startServerMetrics(
  config: Config,
  model: string,
  options: StartOptions,
): Promise<ServerMetricsSource | null> {
  const source = await createServerMetricsSource(config, { model, env: options.env });
  if (source === null) return null;
  const problem = await source.check();
  if (problem === null) {
    log.info(`Server metrics: ${source.description}`);
    return source;
  }
  source.close();
  if (options.optional) {
    log.warn(`Server metrics: ${source.description} does not answer (${problem}); running without them`);
    return null;
  }
  throw new UserError(`Cannot reach ${source.description} for server metrics: ${problem}`, {
    exitCode: ExitCode.failed,
    details: [
      "No load was sent. Start it or fix the address in the config's metrics section,",
      "or pass --server-metrics-optional to run without server metrics.",
    ],
  });
}

/**
 * `load.interval` as the run should use it: with per-stage Prometheus reports, at least one scrape
 * interval, as inference-perf does, so that each stage's window can end after a scrape of its own.
 */
export function effectiveInterval(config: Config): number {
  const p = config.metrics?.type === "prometheus" ? config.metrics.prometheus : null;
  if (p === null || p === undefined || config.report.prometheus.per_stage !== true)
    return config.load.interval;
  return Math.max(config.load.interval, p.scrape_interval);
}

export interface ServerMetricsResult {
  reports: ServerMetricsReports;
  files: string[];
}

/** Collects, reports problems once, writes the files. Never throws. */
export async function finishServerMetrics(
  source: ServerMetricsSource,
  config: Config,
  options: { dir?: string | undefined; client: RunReport },
): Promise<ServerMetricsResult | null> {
  try {
    const outcome = await source.finish({
      summary: config.report.prometheus.summary === true,
      perStage: config.report.prometheus.per_stage === true,
    });
    for (const line of outcome.warnings) log.warn(`Server metrics: ${line}`);
    const sample = outcome.summary ?? outcome.stages[0]?.values ?? null;
    if (sample === null) {
      if (config.report.prometheus.summary === true || config.report.prometheus.per_stage === true)
        log.warn("Server metrics: none collected; the client-side reports are complete");
      return null;
    }
    const absent = absentMetrics(outcome.specs, sample);
    if (absent.length > 0) {
      log.warn(
        `Server metrics reported as null (not exposed by the server, or no data in the run): ${absent.join(", ")}`,
      );
    }
    const requests = outcome.summary?.requests;
    if (requests?.kind === "counter" && requests.total !== null) {
      log.info(
        `Server metrics: the server counted ${requests.total} requests in the run; the client saw ${options.client.summary.successCount} succeed`,
      );
    }
    const reports = serverMetricsReports(outcome);
    let files: string[] = [];
    try {
      files = writeServerMetricsReports(reports, config, { dir: options.dir });
    } catch (error) {
      log.warn(
        `Server metrics: cannot write the report files: ${error instanceof Error ? error.message : error}`,
      );
    }
    return { reports, files };
  } catch (error) {
    log.warn(`Server metrics: lost to an error: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  } finally {
    source.close();
  }
}
