// `inferload report RECORDS`: rebuild every report of a run from its per-request records file, with
// no server (Vegeta's `attack | report`). Config: -c, else the config.yaml the run saved beside the
// records, else the default report settings. Reports go to --output-dir, else `<records dir>/rebuilt/`,
// so the run's own files are never replaced unasked. The config's thresholds and --threshold flags are
// judged on the rebuilt reports. Exit 0; 1 when no request succeeded; 2 for a bad file, config or
// threshold; 3 when a threshold failed (an interrupted run's rebuild does not exit 130).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { extractSetOverrides } from "../lib/cli/flags.ts";
import { log, setQuiet } from "../lib/cli/log.ts";
import { printConfig } from "../lib/config/print.ts";
import type { CollectorConfig } from "../lib/metrics/collector.ts";
import { rebuildReports } from "../lib/report/rebuild.ts";
import { RecordsFileError } from "../lib/report/records.ts";
import { savedConfigPath, type WriteConfig } from "../lib/report/write.ts";
import { configArgs, markersArgs, outputArgs, thresholdArgs } from "./_args.ts";
import { loadCommandConfig } from "./_load-config.ts";
import { checkStdoutFlags, finishReports } from "./_print-reports.ts";
import { type ThresholdConfig, thresholdsOf } from "./_thresholds.ts";

export default defineCommand({
  meta: {
    name: "report",
    description:
      "Rebuild a run's report files from its per-request records (per_request_records.jsonl), without a server",
  },
  args: {
    records: {
      type: "positional",
      required: false,
      description: "The records file a run writes with report.request_lifecycle.per_request on",
    },
    ...configArgs,
    config: {
      ...configArgs.config,
      description:
        "Config for the report settings (default: the config.yaml the run saved beside the records)",
    },
    ...outputArgs,
    outputDir: {
      ...outputArgs.outputDir,
      description: "Report directory (default: rebuilt/ beside the records file)",
    },
    ...markersArgs,
    ...thresholdArgs,
  },
  async run({ args, rawArgs }) {
    if (!args.records)
      throw new UserError("Missing records file: pass the per_request_records.jsonl a run wrote");
    checkStdoutFlags(args);
    setQuiet(args.quiet === true);
    // Checked before looking for its config, so a mistyped path gets one clear message.
    if (!existsSync(args.records))
      throw new UserError(`Cannot read records "${args.records}": file not found`);
    const { config, yaml } = await rebuildConfig(args.records, args.config, extractSetOverrides(rawArgs));
    const thresholds = thresholdsOf(config, rawArgs);
    const dir = args.outputDir ?? join(dirname(args.records), "rebuilt");
    if (resolve(dir) === resolve(dirname(args.records)))
      log.warn(`Writing into the run's own report directory "${dir}": its report files are replaced`);
    try {
      const result = await rebuildReports(args.records, config, {
        dir,
        configYaml: yaml,
        warn: (message) => log.warn(message),
      });
      log.info(`Rebuilt ${result.files.length} files from ${result.records} records in ${dir}`);
      return finishReports(result, { ...args, reportDir: dir, thresholds, ignoreInterrupt: true });
    } catch (error) {
      if (error instanceof RecordsFileError) throw new UserError(error.message);
      throw error;
    }
  },
});

type RebuildConfig = { config: WriteConfig & CollectorConfig & ThresholdConfig; yaml?: string };

/** -c CONFIG, else the run's saved config.yaml, else the report defaults (with per_request on). */
async function rebuildConfig(
  recordsPath: string,
  configPath: string | undefined,
  overrides: string[],
): Promise<RebuildConfig> {
  const path = configPath ?? savedConfigPath(recordsPath);
  if (configPath === undefined && !existsSync(path)) {
    if (overrides.length > 0)
      throw new UserError(`Cannot apply --set: no -c CONFIG given and no "${path}" beside the records`);
    log.warn(
      `No config: "${path}" not found and no -c CONFIG given; using the default report settings (default percentiles; summary, stage, adapter and per-request files)`,
    );
    // A records file exists only when the run had per_request on, so the rebuild keeps it on.
    return { config: { report: { request_lifecycle: { per_request: true } } } };
  }
  const loaded = await loadCommandConfig(path, overrides);
  if (configPath === undefined) log.info(`Config: "${path}", saved by the run`);
  return { config: loaded.config, yaml: printConfig(loaded.config, loaded.secrets) };
}
