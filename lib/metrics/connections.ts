// Connection statistics of one bucket of request records (a stage, the whole run), from the columns the
// transport fills in (RequestRecord.connection, connectMs, resent, serverCloses): constant cost per
// record, associative merge, close() to a plain value. Pure.
//
//   opened           = requests whose first attempt opened a connection + re-sends (each opens one);
//                      attempts that never came up (refused) count too
//   reused           = requests whose first attempt went on a kept-alive connection
//   closed_by_server = connections the server closed (Connection: close, HTTP/1.0, FIN or reset), each
//                      counted with the next request to end after the transport saw it, so a close
//                      after a stage's last request falls in the next stage (or nowhere at run end)
//   resent           = requests sent again after a stale keep-alive close (latency from the first send)
//   connect_time_ms  = time to establish each connection that came up (TCP; TLS handshake included)

import type { RequestRecord } from "../record/record.ts";
import { Distribution, type Summary } from "./distribution.ts";

export interface ConnectionStats {
  opened: number;
  reused: number;
  closedByServer: number;
  resent: number;
  /** Connect times in ms; null when no connection came up. */
  connectMs: Summary | null;
  /** False when the connect-time distribution switched to its sketch. */
  exact: boolean;
}

export class ConnectionTally {
  #opened = 0;
  #reused = 0;
  #closedByServer = 0;
  #resent = 0;
  #connectMs: Distribution;
  readonly #exactLimit: number | undefined;

  constructor(exactLimit?: number) {
    this.#exactLimit = exactLimit;
    this.#connectMs = new Distribution(exactLimit);
  }

  add(record: RequestRecord): void {
    if (record.connection === "new") this.#opened++;
    else if (record.connection === "reused") this.#reused++;
    if (record.resent) {
      this.#resent++;
      this.#opened++;
    }
    this.#closedByServer += record.serverCloses;
    // Distribution.add skips NaN (no connection came up).
    this.#connectMs.add(record.connectMs);
  }

  /** A new tally holding both (neither input changes). Associative. */
  static merge(a: ConnectionTally, b: ConnectionTally): ConnectionTally {
    const out = new ConnectionTally(a.#exactLimit);
    out.#opened = a.#opened + b.#opened;
    out.#reused = a.#reused + b.#reused;
    out.#closedByServer = a.#closedByServer + b.#closedByServer;
    out.#resent = a.#resent + b.#resent;
    out.#connectMs = Distribution.merge(a.#connectMs, b.#connectMs);
    return out;
  }

  close(percentiles: readonly number[]): ConnectionStats {
    return {
      opened: this.#opened,
      reused: this.#reused,
      closedByServer: this.#closedByServer,
      resent: this.#resent,
      connectMs: this.#connectMs.summarize(percentiles),
      exact: this.#connectMs.exact,
    };
  }
}
