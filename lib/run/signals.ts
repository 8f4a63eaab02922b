// SIGINT, SIGTERM, SIGHUP and SIGQUIT as inputs. The first aborts `signal`: stop scheduling, let
// requests in flight finish within the grace period, write reports marked interrupted. A later one
// aborts `hard`: skip the rest of the grace period (requests in flight are cancelled), but the reports
// are still written; nothing here ever exits the process. Signals within `burstMs` of the last one
// that counted are one: `timeout`, CI runners and terminals deliver a signal to every process of a
// group, and a user presses Ctrl-C twice by reflex. The runner takes the signals as parameters, so
// tests abort them directly.

export interface Interrupts {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** Aborted by a later one (or by the caller when the grace period runs out). */
  hard: AbortSignal;
  abortHard(): void;
  dispose(): void;
}

export interface InterruptHandlers {
  onFirst?: (name: string) => void;
  onSecond?: (name: string) => void;
  /** Signals after the second (the reports are being written by then). */
  onLater?: (name: string) => void;
}

export interface WatchOptions {
  /** Signals this close to the last one that counted are part of it. */
  burstMs?: number;
  /** Milliseconds on any monotonic clock (tests pass their own). */
  now?: () => number;
}

/** SIGQUIT (Ctrl-\) too: its default (a core dump) would lose every report of the run. */
export const interruptSignals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/** One second: signals sent to a process group arrive within milliseconds; a person's second press does not. */
export const BURST_MS = 1000;

export function watchSignals(handlers: InterruptHandlers, options: WatchOptions = {}): Interrupts {
  const burstMs = options.burstMs ?? BURST_MS;
  const now = options.now ?? (() => performance.now());
  const first = new AbortController();
  const second = new AbortController();
  let lastCountedAt = Number.NEGATIVE_INFINITY;
  const onSignal = (name: string): void => {
    const at = now();
    if (at - lastCountedAt < burstMs) return;
    lastCountedAt = at;
    if (!first.signal.aborted) {
      first.abort(name);
      handlers.onFirst?.(name);
    } else if (!second.signal.aborted) {
      second.abort(name);
      handlers.onSecond?.(name);
    } else handlers.onLater?.(name);
  };
  // One closure per signal: the name comes from the registration, not the (runtime-specific) argument.
  const listeners: [string, () => void][] = [];
  for (const name of interruptSignals) {
    const listener = () => onSignal(name);
    try {
      process.on(name, listener);
      listeners.push([name, listener]);
    } catch {
      // A platform without this signal (Windows has no SIGQUIT): nothing to listen to.
    }
  }
  return {
    signal: first.signal,
    hard: second.signal,
    abortHard: () => second.abort("grace period over"),
    dispose: () => {
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
