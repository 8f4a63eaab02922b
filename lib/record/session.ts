// A session's lifecycle as the Worker that ran it reports it to the main thread: the contract between
// the send path's session runners and the session metrics. Pure type definitions.

/** How a session ended. A cut-short session (interrupt, stage timeout, end of stage) is not a failure. */
export type SessionStatus = "succeeded" | "failed" | "cut_short";

/** One session as its Worker saw it (times on the shared clock, ms). */
export interface SessionLifecycle {
  stageId: number;
  /** The session's number within its stage (RequestRecord.session). */
  session: number;
  name: string;
  /** The trace file (or conversation) it came from. */
  source: string;
  startMs: number;
  endMs: number;
  numEvents: number;
  completed: number;
  failedCalls: number;
  /** Calls never sent (the session failed or was cut short first). */
  cancelled: number;
  status: SessionStatus;
  /** A replay-level cause (predecessor timeout …); request failures come from their records. */
  replayError: string | null;
  /**
   * Replay with attribute_to_label_map: each call's reporting labels, by its index in the session
   * (what the per-request report shows as `info.labels`); absent otherwise.
   */
  callLabels?: (Readonly<Record<string, string>> | null)[] | undefined;
  /**
   * bad_tool_call_handling "use_recorded": the event ids of earlier calls whose malformed live tool
   * calls were replaced by their recorded message, sorted; absent when none were.
   */
  recordedSubstitutions?: string[] | undefined;
}
