// The records of requests a terminated Worker took with it. Pure.
//
// A Worker that did not stop within the grace period (frozen on some response) is terminated, and
// with it the measurements of the requests it had started and not yet handed over. The main thread
// still knows which these are: a Worker sends its slice strictly in order, so the first `started`
// entries of its slice were sent (its live counter says how many), and every record received says
// which of them came back. The rest are recorded as cancelled, with what the main thread knows: the
// scheduled time (also used as the send time, which is unknown) and the termination as the end.
import type { Slice } from "../load/stripe.ts";
import type { RequestRecord } from "../record/record.ts";
import { unsentRecord } from "./exchange-record.ts";

export interface LostRequestsInput {
  stageId: number;
  workerId: number;
  slice: Slice;
  /** The stage's start on the shared clock; entry k was due at t0Ms + offsets[k]. */
  t0Ms: number;
  /** Entries of the slice the Worker had started (its sent counter, from the stage's start). */
  started: number;
  /** Whether the record of schedule index `index` has been received. */
  received: (index: number) => boolean;
  /** When the Worker was terminated. */
  atMs: number;
  streamed: boolean;
}

export const lostMessage = "Lost: its Worker did not stop within the grace period and was terminated";

export function lostRecords(input: LostRequestsInput): RequestRecord[] {
  const { slice, t0Ms } = input;
  const lost: RequestRecord[] = [];
  const started = Math.min(input.started, slice.indices.length);
  for (let k = 0; k < started; k++) {
    const index = slice.indices[k] as number;
    if (input.received(index)) continue;
    const scheduledMs = slice.offsets === null ? t0Ms : t0Ms + (slice.offsets[k] as number);
    // How it used the connection pool and which conversation it belonged to died with the Worker:
    // counted as no connection and no session.
    const { stageId, workerId, streamed } = input;
    lost.push(
      unsentRecord(
        {
          stageId,
          workerId,
          index,
          scheduledMs,
          streamed,
          requestBytes: 0,
          adapter: null,
          media: null,
          session: -1,
        },
        scheduledMs,
        Math.max(input.atMs, scheduledMs),
        "cancelled",
        lostMessage,
        -1,
      ),
    );
  }
  return lost;
}

export interface LostCallsInput {
  stageId: number;
  workerId: number;
  /** Requests the Worker sent this stage whose records never arrived. */
  count: number;
  /** The stage's start on the shared clock (the scheduled and send times, which are unknown). */
  t0Ms: number;
  atMs: number;
  streamed: boolean;
}

/**
 * A session stage's lost requests: sessions send their calls as replies arrive, so the main thread
 * knows how many were in flight but not which calls they were (index and session are -1); the
 * sessions themselves are reported cut short (pool.ts).
 */
export function lostCalls(input: LostCallsInput): RequestRecord[] {
  const slice: Slice = { indices: new Uint32Array(Math.max(0, input.count)), offsets: null };
  const records = lostRecords({ ...input, slice, started: slice.indices.length, received: () => false });
  for (const r of records) r.index = -1;
  return records;
}
