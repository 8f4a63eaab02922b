// The three signals a running stage obeys (an interrupt, a hard interrupt, an open circuit breaker)
// and their wiring to a stage's handlers, shared by rate/closed stages and session stages so both
// react to them alike.

export interface StageSignals {
  /** Stop scheduling (first Ctrl-C); requests in flight get load.stage_teardown_grace_seconds. */
  signal?: AbortSignal | undefined;
  /** Abort requests in flight at once (second Ctrl-C). */
  hardSignal?: AbortSignal | undefined;
  /**
   * Fail the stage now (an open circuit breaker): stop scheduling and cancel requests in flight, as
   * inference-perf does; the stage ends "failed" with the signal's reason.
   */
  failSignal?: AbortSignal | undefined;
}

export interface StageSignalHandlers {
  stop: () => void;
  hard: () => void;
  fail: () => void;
}

/**
 * Calls each handler when its signal aborts, and at once for `signal` and `failSignal` if they
 * already have (a hard interrupt only ever follows `signal`, whose handler has then stopped the
 * stage). Returns the function that removes the listeners, for the stage's `finally`.
 */
export function onStageSignals(signals: StageSignals, handlers: StageSignalHandlers): () => void {
  const { signal, hardSignal, failSignal } = signals;
  if (signal?.aborted) handlers.stop();
  if (failSignal?.aborted) handlers.fail();
  signal?.addEventListener("abort", handlers.stop);
  hardSignal?.addEventListener("abort", handlers.hard);
  failSignal?.addEventListener("abort", handlers.fail);
  return () => {
    signal?.removeEventListener("abort", handlers.stop);
    hardSignal?.removeEventListener("abort", handlers.hard);
    failSignal?.removeEventListener("abort", handlers.fail);
  };
}
