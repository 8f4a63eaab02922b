// inferload's additive report keys about the transport: how requests used connections, and how many
// inter-token gaps join two events of one socket read. Kept apart from lifecycle-json.ts, which
// mirrors inference-perf's keys, and appended after them. Pure. Definitions: docs/metrics.md.
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";
import { pyFloat, pyFloats } from "./py-json.ts";

/** Counts are ints, the fraction and the connect times floats (as write.ts's Python-style JSON writes them). */
export function transportKeys(m: MetricsSnapshot): Record<string, unknown> {
  const c = m.connections;
  return {
    connections: {
      opened: c.opened,
      reused: c.reused,
      closed_by_server: c.closedByServer,
      resent: c.resent,
      connect_time_ms: pyFloats(c.connectMs),
    },
    itl: {
      // Events read together share their read's stamp: these gaps are exactly 0 in inter_token_latency.
      same_read_fraction: m.itlGaps > 0 ? pyFloat(m.sameReadGaps / m.itlGaps) : null,
      same_read_gaps: m.sameReadGaps,
      gaps: m.itlGaps,
    },
  };
}
