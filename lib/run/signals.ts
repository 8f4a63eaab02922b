// SIGINT/SIGTERM as inputs: the first aborts `signal` (stop scheduling, let requests in flight finish
// within the grace period, write reports marked interrupted); the second calls `onSecond` (the
// command exits at once). The runner takes the signals as parameters, so tests abort them directly.

export interface Interrupts {
  /** Aborted by the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Aborted by the second one (or by the caller when the grace period runs out). */
  hard: AbortSignal;
  abortHard(): void;
  dispose(): void;
}

export function watchSignals(handlers: {
  onFirst?: (name: string) => void;
  onSecond?: (name: string) => void;
}): Interrupts {
  const first = new AbortController();
  const second = new AbortController();
  const names = ["SIGINT", "SIGTERM"] as const;
  const onSignal = (name: string): void => {
    if (!first.signal.aborted) {
      first.abort(name);
      handlers.onFirst?.(name);
    } else if (!second.signal.aborted) {
      second.abort(name);
      handlers.onSecond?.(name);
    }
  };
  // One closure per signal: the name comes from the registration, not the (runtime-specific) argument.
  const listeners = names.map((name) => [name, () => onSignal(name)] as const);
  for (const [name, listener] of listeners) process.on(name, listener);
  return {
    signal: first.signal,
    hard: second.signal,
    abortHard: () => second.abort("grace period over"),
    dispose: () => {
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
