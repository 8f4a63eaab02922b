// inference-perf's session reports from enriched sessions: per_session_lifecycle_metrics.json (one
// entry per session, SessionLifecycleMetric's keys in order), summary_session_lifecycle_metrics.json
// and stage_N_session_lifecycle_metrics.json (summarize_sessions, the stage's led by stage_metadata).
// Counts are ints, times and everything divided are floats (pyFloat), as Python writes them. Pure.
//
// Sessions that did not complete are counted, never dropped: a session cut short by the end of its
// stage (interrupt, stage timeout) is "not completed, active" and keeps its per-session entry with
// success null; one that never started is "not completed, pending". Distributions cover completed
// sessions, as upstream's do.

import { Distribution } from "../metrics/distribution.ts";
import type { EnrichedSession, SessionStageInfo } from "../metrics/session-metrics.ts";
import { type PyFloat, pyFloat, pyFloats } from "./py-json.ts";

export function perSessionEntry(s: EnrichedSession): Record<string, unknown> {
  return {
    session_id: s.name,
    stage_id: s.stageId,
    file_path: s.source,
    start_time: pyFloat(s.startMs / 1000),
    end_time: pyFloat(s.endMs / 1000),
    duration_sec: pyFloat((s.endMs - s.startMs) / 1000),
    num_events: s.numEvents,
    num_events_completed: s.completed,
    num_events_cancelled: s.cancelled,
    // Present only where bad_tool_call_handling "use_recorded" replaced a malformed live reply.
    n_recorded_substitutions: s.recordedSubstitutions?.length ?? null,
    recorded_substitution_event_ids: s.recordedSubstitutions ?? null,
    success: s.success,
    error: s.error,
    total_input_tokens: s.inputTokens,
    total_output_tokens: s.outputTokens,
    total_cached_tokens: s.cachedTokens,
    total_cacheable_input_tokens: s.cacheableTokens,
    // Ours: how it ended, so a cut-short session reads as such.
    status: s.status,
  };
}

function summarize(
  values: readonly number[],
  percentiles: readonly number[],
): Record<string, PyFloat> | null {
  const d = new Distribution();
  for (const v of values) d.add(v);
  return pyFloats(d.summarize(percentiles));
}

/** Upstream's parse_error_message: the inner message of a `{"error": {"message": …}}` body. */
function innerMessage(raw: string): string {
  try {
    const body: unknown = JSON.parse(raw);
    if (body !== null && typeof body === "object" && !Array.isArray(body)) {
      const obj = body as Record<string, unknown>;
      const error = (obj.error ?? obj) as Record<string, unknown> | null;
      if (error !== null && typeof error === "object" && "message" in error) return String(error.message);
    }
  } catch {
    // not JSON: the raw text is the message
  }
  return raw;
}

/** Failed sessions by error type: counts, and each distinct message with the sessions that hit it. */
function failuresByLabel(failed: readonly EnrichedSession[], maxMessages: number): Record<string, unknown> {
  const labels = new Map<string, { count: number; messages: Map<string, string[]> }>();
  for (const s of failed) {
    const type = s.error?.error_type ?? "unreported";
    const message = innerMessage(s.error?.error_msg ?? "session failed with no error recorded");
    let entry = labels.get(type);
    if (entry === undefined) labels.set(type, (entry = { count: 0, messages: new Map() }));
    entry.count++;
    const ids = entry.messages.get(message);
    if (ids !== undefined) ids.push(s.name);
    else if (entry.messages.size < maxMessages) entry.messages.set(message, [s.name]);
  }
  const out: Record<string, unknown> = {};
  for (const [label, entry] of [...labels].sort((a, b) => b[1].count - a[1].count)) {
    out[label] = {
      count: entry.count,
      messages: [...entry.messages].map(([message, session_ids]) => ({ message, session_ids })),
    };
  }
  return out;
}

export function summarizeSessions(
  sessions: readonly EnrichedSession[],
  stages: readonly SessionStageInfo[],
  percentiles: readonly number[],
  maxErrorMessages = 100,
): Record<string, unknown> {
  const completed = sessions.filter((s) => s.status !== "cut_short");
  const active = sessions.length - completed.length;
  const pending = stages.reduce((n, st) => n + st.pending, 0);
  const failed = completed.filter((s) => s.success === false);
  let sessionsPerSecond = 0;
  if (completed.length > 0) {
    const span =
      (Math.max(...completed.map((s) => s.endMs)) - Math.min(...completed.map((s) => s.startMs))) / 1000;
    if (span > 0) sessionsPerSecond = completed.length / span;
  }
  const withCache = completed.filter((s) => s.cachedTokens !== null && (s.cacheableTokens ?? 0) > 0);
  const cachedTotal = withCache.reduce((n, s) => n + (s.cachedTokens ?? 0), 0);
  const cacheableTotal = withCache.reduce((n, s) => n + (s.cacheableTokens ?? 0), 0);
  const sum = (pick: (s: EnrichedSession) => number) => completed.reduce((n, s) => n + pick(s), 0);
  const dist = (pick: (s: EnrichedSession) => number | null) =>
    summarize(
      completed.map(pick).filter((v): v is number => v !== null),
      percentiles,
    );
  return {
    num_sessions: completed.length + active + pending,
    num_sessions_completed: completed.length,
    num_sessions_succeeded: completed.filter((s) => s.success === true).length,
    num_sessions_failed: failed.length,
    num_sessions_not_completed: active + pending,
    num_sessions_not_completed_active: active,
    num_sessions_not_completed_pending: pending,
    failures: { count: failed.length, by_label: failuresByLabel(failed, maxErrorMessages) },
    total_events: sum((s) => s.numEvents),
    total_events_completed: sum((s) => s.completed),
    total_events_cancelled: sum((s) => s.cancelled),
    // Sessions where use_recorded fired, and their substitutions summed (null when none did).
    sessions_with_recorded_substitution: completed.filter((s) => (s.recordedSubstitutions?.length ?? 0) > 0)
      .length,
    total_recorded_substitutions: completed.some((s) => s.recordedSubstitutions !== undefined)
      ? sum((s) => s.recordedSubstitutions?.length ?? 0)
      : null,
    sessions_per_second: pyFloat(sessionsPerSecond),
    session_duration_sec: dist((s) => (s.endMs - s.startMs) / 1000),
    num_events: dist((s) => s.numEvents),
    num_events_cancelled: dist((s) => s.cancelled),
    total_input_tokens: dist((s) => s.inputTokens),
    total_output_tokens: dist((s) => s.outputTokens),
    total_cached_tokens: dist((s) => s.cachedTokens),
    total_cacheable_input_tokens: dist((s) => s.cacheableTokens),
    sessions_with_cache_info: withCache.length,
    kv_cache_hit_percent: cacheableTotal > 0 ? pyFloat((100 * cachedTotal) / cacheableTotal) : null,
    kv_cache_hit_per_session_percent: summarize(
      withCache.map((s) => (100 * (s.cachedTokens ?? 0)) / (s.cacheableTokens ?? 1)),
      percentiles,
    ),
  };
}

const statusLabels: Readonly<Record<SessionStageInfo["status"], string>> = {
  completed: "COMPLETED",
  timed_out: "TIMED_OUT",
  interrupted: "INTERRUPTED",
  failed: "FAILED",
};

/** A stage's session report: stage_metadata first, then the stage's summary. */
export function stageSessionReport(
  info: SessionStageInfo,
  sessions: readonly EnrichedSession[],
  percentiles: readonly number[],
  maxErrorMessages = 100,
): Record<string, unknown> {
  return {
    stage_metadata: {
      stage_id: info.stageId,
      status: statusLabels[info.status],
      timeout_configured: info.timeoutS === null ? null : pyFloat(info.timeoutS),
      actual_duration: pyFloat((info.endMs - info.startMs) / 1000),
      concurrent_sessions: info.concurrentSessions,
      session_rate: info.sessionRate === null || info.sessionRate <= 0 ? null : pyFloat(info.sessionRate),
    },
    ...summarizeSessions(
      sessions.filter((s) => s.stageId === info.stageId),
      [info],
      percentiles,
      maxErrorMessages,
    ),
  };
}

/** The session report files a run writes (file name without report_file_prefix → contents). */
export interface SessionSwitches {
  summary?: boolean | null | undefined;
  per_stage?: boolean | null | undefined;
  per_session?: boolean | null | undefined;
}

export function sessionReportFiles(
  result: { sessions: readonly EnrichedSession[]; stages: readonly SessionStageInfo[] },
  switches: SessionSwitches,
  percentiles: readonly number[],
  maxErrorMessages = 100,
): { file: string; report: unknown }[] {
  const stranded = result.stages.some((s) => s.pending > 0);
  if (result.sessions.length === 0 && !stranded) return [];
  const on = (flag: boolean | null | undefined, byDefault: boolean) =>
    flag === undefined ? byDefault : flag === true;
  const files: { file: string; report: unknown }[] = [];
  if (on(switches.summary, true)) {
    files.push({
      file: "summary_session_lifecycle_metrics.json",
      report: summarizeSessions(result.sessions, result.stages, percentiles, maxErrorMessages),
    });
  }
  if (on(switches.per_stage, true)) {
    for (const info of result.stages) {
      const has = result.sessions.some((s) => s.stageId === info.stageId) || info.pending > 0;
      if (!has) continue;
      files.push({
        file: `stage_${info.stageId}_session_lifecycle_metrics.json`,
        report: stageSessionReport(info, result.sessions, percentiles, maxErrorMessages),
      });
    }
  }
  if (on(switches.per_session, false)) {
    files.push({ file: "per_session_lifecycle_metrics.json", report: result.sessions.map(perSessionEntry) });
  }
  return files;
}
