// When a kept-alive connection may be reused, and when a request lost on one may be sent again. Pure:
// times come in as arguments. The socket transport asks; it owns the sockets.
//
// A server may close a kept-alive connection at any moment: after its keep-alive timeout, or (as
// llama.cpp's server does) right after every response, with a FIN and no `Connection: close` header.
// A close seen while the connection is idle just takes it out of the pool. The hard case is the race:
// the client writes the next request on the connection before the FIN arrives. Such a request was
// provably not processed only when the close came before any response byte and within about a round
// trip of the write (the FIN was already on its way). A server that held the request longer and then
// dropped it had it: that is a failure ("dropped"), never a silent re-send.

/**
 * A close within this long after a response ended counts as "the server closes after responses"; it
 * is also how long a finished connection then waits, out of the pool, for that close (its probation):
 * if none comes, the server keeps connections alive after all and the connection goes back.
 */
export const QUICK_CLOSE_MS = 100;

/** How long a connection is held after its first response, watching for a close right after it. */
export const FIRST_HOLD_MS = 2;

/**
 * Probation ends with a second, short timer of this length (so the sockets are read in between); one
 * this late says the event loop was stalled, and it is armed again.
 */
export const LATE_TIMER_MS = 5;

/**
 * Floor of the stale-close window. On loopback a stale close is seen 0.1-0.4 ms after the write at the
 * median, up to ~6 ms when the event loop is busy with other streams (measured with four back-to-back
 * streams per loop against a server that closes after every response). A floor this low can call a
 * late-seen stale close "dropped" (a visible failure) rather than re-send a request a fast server took
 * and dropped (a hidden one); the pool's learning (CloseLearner) keeps stale closes rare anyway.
 */
export const STALE_WINDOW_MIN_MS = 5;

/**
 * A new connection closed before any response byte this soon after it came up was refused rather than
 * dropped: a TLS 1.3 server rejects a client certificate just after the client's handshake is done,
 * a server at its connection limit closes at once. Only the failure kind depends on it (neither is
 * re-sent), so it is generous, for a busy event loop.
 */
export const REFUSED_WINDOW_MS = 50;

/** A close error from the TLS layer (an alert, a certificate problem): the connection never was usable. */
export function isTlsError(error: Error | null): boolean {
  return (
    error !== null &&
    /\b(SSL|TLS)|certificate/i.test(`${error.message} ${(error as { code?: unknown }).code ?? ""}`)
  );
}

/**
 * Whether a reused connection that closed `closeAtMs`, before any response byte of a request written at
 * `writtenAtMs`, was a stale keep-alive (the request can be sent again): within two round trips of the
 * write, never less than STALE_WINDOW_MIN_MS. `rttMs` is the fastest connect time seen (a TCP connect
 * takes one round trip; the fastest is the least inflated by event-loop lag), NaN when unknown.
 */
export function isStaleClose(writtenAtMs: number, closeAtMs: number, rttMs: number): boolean {
  const window = Math.max(STALE_WINDOW_MIN_MS, Number.isFinite(rttMs) ? 2 * rttMs : 0);
  return closeAtMs - writtenAtMs <= window;
}

/**
 * Learns whether the server closes connections right after its responses. After a quick close (a
 * FIN within QUICK_CLOSE_MS of a response's end, or a stale keep-alive found at reuse), finished
 * connections go on probation instead of back to the pool, so the next request opens a fresh one
 * instead of racing the FIN. Any response delivered on a reused connection, or a connection that
 * outlives its probation, turns it off again.
 */
export class CloseLearner {
  #closesAfterResponse = false;

  /** The server closed a connection `idleMs` after its last response ended. */
  closed(idleMs: number): void {
    if (idleMs <= QUICK_CLOSE_MS) this.#closesAfterResponse = true;
  }

  /** The server kept a connection open after a response (it served another, or outlived probation). */
  keptAlive(): void {
    this.#closesAfterResponse = false;
  }

  /** Whether a connection that just finished a response should wait for the server's close. */
  get closesAfterResponse(): boolean {
    return this.#closesAfterResponse;
  }
}
