// Sessions as inference-perf reports them: each session's lifecycle (from the Worker that ran it)
// enriched from its requests' records (tokens, prefix-cache hits, its first error), per stage. An
// accumulator: add() and addSession() are constant work per call; finish() closes the numbers. Pure.
import { errorTypes, outputTokens, type RequestRecord } from "../record/record.ts";
import type { SessionLifecycle } from "../record/session.ts";

export interface SessionError {
  error_type: string;
  error_msg: string;
}

/** A lifecycle with its records' numbers added (upstream's SessionLifecycleMetric after enrichment). */
export interface EnrichedSession extends SessionLifecycle {
  inputTokens: number;
  outputTokens: number;
  /** Null when no successful request of the session reported cache information. */
  cachedTokens: number | null;
  cacheableTokens: number | null;
  /** The replay error, else the session's first failed request's. */
  error: SessionError | null;
  /** Upstream's `success`: all events completed and no error; null when cut short. */
  success: boolean | null;
}

/** What a session stage's report says about the stage itself. */
export interface SessionStageInfo {
  stageId: number;
  status: "completed" | "interrupted" | "failed" | "timed_out";
  startMs: number;
  endMs: number;
  timeoutS: number | null;
  concurrentSessions: number | null;
  sessionRate: number | null;
  /** Sessions of the stage that never started (the stage ended first). */
  pending: number;
}

interface Totals {
  input: number;
  output: number;
  cached: number;
  cacheable: number;
  cacheInfo: boolean;
  error: SessionError | null;
  /** Requests of the session whose records arrived, ended well and not; when the first was sent and the last ended. */
  ok: number;
  failed: number;
  firstSentMs: number;
  lastEndMs: number;
}

/** A failed record's error as inference-perf writes it: `HTTP Error <status>` or the exception's type. */
export function recordError(record: RequestRecord): SessionError | null {
  if (record.failure === null) return null;
  const type = record.failure === "http_status" ? `HTTP Error ${record.status}` : errorTypes[record.failure];
  return { error_type: type, error_msg: record.errorMessage };
}

export class SessionCollector {
  readonly #totals = new Map<string, Totals>();
  readonly #sessions: SessionLifecycle[] = [];
  readonly #stages = new Map<number, SessionStageInfo>();
  readonly #reported = new Set<string>();

  /** A request record; only records of a session, in a reported stage (not the sweep's probe), count. */
  add(record: RequestRecord): void {
    if (record.session < 0 || record.stageId < 0) return;
    const key = `${record.stageId}:${record.session}`;
    let t = this.#totals.get(key);
    if (t === undefined) {
      t = {
        input: 0,
        output: 0,
        cached: 0,
        cacheable: 0,
        cacheInfo: false,
        error: null,
        ok: 0,
        failed: 0,
        firstSentMs: record.sentMs,
        lastEndMs: record.endMs,
      };
      this.#totals.set(key, t);
    }
    t.firstSentMs = Math.min(t.firstSentMs, record.sentMs);
    t.lastEndMs = Math.max(t.lastEndMs, record.endMs);
    if (record.failure !== null) {
      t.failed++;
      t.error ??= recordError(record);
      return;
    }
    t.ok++;
    t.input += record.promptTokens;
    t.output += outputTokens(record);
    // Hit rate from one source: the server's cached tokens over the server's prompt tokens.
    if (record.cacheReported && record.promptTokensSource === "server" && record.promptTokens > 0) {
      t.cacheInfo = true;
      t.cached += Math.min(Math.max(record.cachedPromptTokens, 0), record.promptTokens);
      t.cacheable += record.promptTokens;
    }
  }

  addSession(session: SessionLifecycle): void {
    if (session.stageId < 0) return;
    this.#sessions.push(session);
    this.#reported.add(`${session.stageId}:${session.session}`);
  }

  /**
   * Sessions of a stage whose requests arrived but whose lifecycle never did (their Worker was
   * terminated), as cut short with what their records show; `describe` names them. Call once the
   * stage's Workers are done, and hand the result to addSession().
   */
  unreported(
    stageId: number,
    describe: (session: number) => { name: string; source: string },
  ): SessionLifecycle[] {
    const found: SessionLifecycle[] = [];
    const prefix = `${stageId}:`;
    for (const [key, t] of this.#totals) {
      if (!key.startsWith(prefix) || this.#reported.has(key)) continue;
      const session = Number(key.slice(prefix.length));
      found.push({
        stageId,
        session,
        ...describe(session),
        startMs: t.firstSentMs,
        endMs: t.lastEndMs,
        // What became of the rest is unknown: the session is the requests seen, and it was cut short.
        numEvents: t.ok + t.failed,
        completed: t.ok,
        failedCalls: t.failed,
        cancelled: 0,
        status: "cut_short",
        replayError: null,
      });
    }
    return found.sort((a, b) => a.session - b.session);
  }

  stageEnded(info: SessionStageInfo): void {
    if (info.stageId >= 0) this.#stages.set(info.stageId, info);
  }

  get sessionCount(): number {
    return this.#sessions.length;
  }

  /** Every session, enriched, in stage then end order; and the stages' infos. */
  finish(): { sessions: EnrichedSession[]; stages: SessionStageInfo[] } {
    const sessions = [...this.#sessions]
      .sort((a, b) => a.stageId - b.stageId || a.endMs - b.endMs || a.session - b.session)
      .map((s) => this.#enrich(s));
    const stages = [...this.#stages.values()].sort((a, b) => a.stageId - b.stageId);
    return { sessions, stages };
  }

  #enrich(s: SessionLifecycle): EnrichedSession {
    const t = this.#totals.get(`${s.stageId}:${s.session}`);
    const error: SessionError | null =
      s.replayError !== null
        ? { error_type: "SessionReplayError", error_msg: s.replayError }
        : (t?.error ?? null);
    const complete = s.completed === s.numEvents;
    return {
      ...s,
      inputTokens: t?.input ?? 0,
      outputTokens: t?.output ?? 0,
      cachedTokens: t?.cacheInfo ? t.cached : null,
      cacheableTokens: t?.cacheInfo ? t.cacheable : null,
      error,
      success: s.status === "cut_short" ? null : complete && error === null,
    };
  }
}
