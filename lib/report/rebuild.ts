// Rebuilds a run's reports from its per-request records file, with no server (Vegeta's
// `attack | report`): the records feed a fresh collector in the order the run fed its own, each stage
// line closes its stage as the run did, and the run line restores what the reports add. The same
// writer then writes the same files, byte for byte. Messages go to an injected `warn`.
import { isReported, type StageInfo } from "../load/stage.ts";
import { type CollectorConfig, createCollector, type RunReport } from "../metrics/collector.ts";
import { SessionCollector } from "../metrics/session-metrics.ts";
import { RecordsFileError, type RunLine, readRecords } from "./records.ts";
import { type WriteConfig, writeReports } from "./write.ts";

export interface RebuildOptions {
  /** Where the reports go (report_file_prefix still applies). */
  dir: string;
  /** The config used, as YAML, saved as config.yaml beside the reports; none when absent. */
  configYaml?: string | undefined;
  /** Told about a file cut short by a crash and a file from before run lines existed. */
  warn?: ((message: string) => void) | undefined;
}

export interface RebuildResult {
  report: RunReport;
  files: string[];
  /** The run's keys in every report (empty for a file without a run line). */
  extra: Record<string, unknown>;
  /** Request records read. */
  records: number;
}

export async function rebuildReports(
  recordsPath: string,
  config: WriteConfig & CollectorConfig,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const warn = options.warn ?? (() => {});
  const collector = createCollector({ config });
  const onCutShort = (line: number, reason: string) =>
    warn(
      `Records file "${recordsPath}" ends in an incomplete line ${line} (${reason}), as a crash leaves it: reports use the lines before it`,
    );
  let run: RunLine | null = null;
  let records = 0;
  const started = new Set<number>();
  const ended = new Map<number, StageInfo>();
  // Session workloads: their lifecycles and stages are in the file too, so the session reports rebuild.
  const sessions = new SessionCollector();
  let hasSessions = false;
  for await (const line of readRecords(recordsPath, { onCutShort })) {
    if ("record" in line) {
      collector.add(line.record);
      sessions.add(line.record);
      started.add(line.record.stageId);
      records++;
    } else if ("stage" in line) {
      collector.stageEnded(line.stage);
      ended.set(line.stage.id, line.stage);
    } else if ("session" in line) {
      sessions.addSession(line.session);
      hasSessions = true;
    } else if ("sessionStage" in line) {
      sessions.stageEnded(line.sessionStage);
      hasSessions = true;
    } else run = line.run;
  }
  if (records === 0 && ended.size === 0)
    throw new RecordsFileError(recordsPath, null, "it holds no request records");
  const unended = [...started].filter((id) => isReported(id) && !ended.has(id));
  if (run === null) {
    warn(
      unended.length > 0
        ? `Records file "${recordsPath}" stops inside stage ${unended[0]} (the run did not finish): its reports are marked interrupted and carry no fingerprints`
        : `Records file "${recordsPath}" has no closing run line (written by an older inferload): reports carry no fingerprints`,
    );
  }
  // Without a run line, a stage that never ended or ended interrupted means the run was cut short.
  const interrupted =
    run?.interrupted ??
    (unended.length > 0 || [...ended.values()].some((stage) => stage.status === "interrupted"));
  const report = collector.finish({ interrupted });
  const extra = run?.extra ?? {};
  const files = await writeReports(report, config, {
    dir: options.dir,
    configYaml: options.configYaml,
    extra,
    perRequestRecords: recordsPath,
    sessions: hasSessions ? sessions.finish() : undefined,
  });
  return { report, files, extra, records };
}
