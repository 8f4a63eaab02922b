// The run's circuit breakers: every finished request is fed to every breaker of `circuit_breakers`
// (inference-perf feeds them all); one named in `load.circuit_breakers` that opens fails the running
// stage and ends the run through `signal`. One that opens without being named only says so.
import { log } from "../cli/log.ts";
import type { Config } from "../config/schema.ts";
import type { RequestRecord } from "../record/record.ts";
import { nowMs } from "../runtime/clock.ts";
import { type BreakerTrip, type CircuitBreaker, createCircuitBreaker } from "./circuit-breaker.ts";

export interface BreakerWatch {
  feed(record: RequestRecord): void;
  /** Aborted, with the trip's message as reason, when an enforced breaker opens. */
  readonly signal: AbortSignal;
  /** The enforced breaker that opened, or null. */
  trip(): BreakerTrip | null;
  /** When the run saw it open (ms on the shared clock), NaN before. */
  openedAtMs(): number;
}

export function watchBreakers(config: Pick<Config, "circuit_breakers" | "load">): BreakerWatch | null {
  const breakers = (config.circuit_breakers ?? []).map((c) => createCircuitBreaker(c));
  if (breakers.length === 0) return null;
  const enforced = new Set(config.load.circuit_breakers);
  const controller = new AbortController();
  const noticed = new Set<CircuitBreaker>();
  let tripped: BreakerTrip | null = null;
  let openedAtMs = Number.NaN;
  return {
    feed(record) {
      for (const breaker of breakers) {
        if (noticed.has(breaker)) continue;
        breaker.feed(record);
        const trip = breaker.opened();
        if (trip === null) continue;
        noticed.add(breaker);
        if (!enforced.has(breaker.name)) {
          log.warn(
            `Circuit breaker "${trip.name}" opened: ${trip.reason}; the run goes on (it is not in load.circuit_breakers)`,
          );
          continue;
        }
        if (tripped !== null) continue;
        tripped = trip;
        openedAtMs = nowMs();
        controller.abort(describeTrip(trip));
      }
    },
    signal: controller.signal,
    trip: () => tripped,
    openedAtMs: () => openedAtMs,
  };
}

export function describeTrip(trip: BreakerTrip): string {
  return `circuit breaker "${trip.name}" opened: ${trip.reason}`;
}

/** The run-level report key for a trip; `opened_at` in seconds on the per-request times' clock. */
export function tripKeys(trip: BreakerTrip, openedAtMs: number): Record<string, unknown> {
  return {
    name: trip.name,
    trigger: trip.trigger,
    stage: trip.stageId,
    reason: trip.reason,
    opened_at: openedAtMs / 1000,
  };
}
