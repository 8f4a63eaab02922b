// Which fault, if any, a request gets. Pure: one uniform draw from the injected RNG per request,
// so a seeded simulator fails the same requests on every run.
import type { Rng } from "../load/rng.ts";
import type { SimFaults } from "./options.ts";

export type Fault =
  | { kind: "none" }
  | { kind: "status"; status: 429 | 500 | 503 }
  /** Drop the connection after `afterTokens` tokens (no terminal chunk, no [DONE]). */
  | { kind: "cut"; afterTokens: number }
  /** Write one truncated-JSON event after `afterTokens` tokens, then carry on. */
  | { kind: "malformed"; afterTokens: number }
  /** Write an {"error":…} event after `afterTokens` tokens, then [DONE] and end (streams only). */
  | { kind: "error_event"; afterTokens: number }
  /** Close the connection DROP_HOLD_MS after reading the request, before any response byte. */
  | { kind: "drop" };

/**
 * How long a dropped request is held before its connection closes: long enough that a client cannot
 * take the close for a keep-alive race (which it may silently re-send; lib/http/_keep-alive.ts), as
 * when an engine crashes with the request in hand.
 */
export const DROP_HOLD_MS = 100;

export type FaultKind = Fault["kind"];

const NONE: Fault = { kind: "none" };
const DROP: Fault = { kind: "drop" };

/**
 * Split [0, 1) into consecutive bands, one per fault, each as wide as its rate; the draw picks the band.
 * The error-event band applies only to streamed requests (a non-streamed body has no events).
 */
export function pickFault(faults: SimFaults, rng: Rng, streamed: boolean): Fault {
  const total =
    faults.rate429 +
    faults.rate500 +
    faults.rate503 +
    faults.cutRate +
    faults.malformedRate +
    faults.errorEventRate +
    faults.dropRate;
  if (total === 0) return NONE;
  const u = rng.next();
  let edge = faults.rate429;
  if (u < edge) return { kind: "status", status: 429 };
  if (u < (edge += faults.rate500)) return { kind: "status", status: 500 };
  if (u < (edge += faults.rate503)) return { kind: "status", status: 503 };
  const afterTokens = faults.afterTokens;
  if (u < (edge += faults.cutRate)) return { kind: "cut", afterTokens };
  if (u < (edge += faults.malformedRate)) return { kind: "malformed", afterTokens };
  if (u < (edge += faults.errorEventRate)) return streamed ? { kind: "error_event", afterTokens } : NONE;
  if (u < (edge += faults.dropRate)) return DROP;
  return NONE;
}

/** The OpenAI error type and message for a status fault. */
export function statusFaultError(status: 429 | 500 | 503): { type: string; message: string } {
  if (status === 429)
    return { type: "rate_limit_exceeded", message: "Simulated rate limit: too many requests" };
  if (status === 503)
    return { type: "service_unavailable", message: "Simulated overload: the server is not ready" };
  return { type: "InternalServerError", message: "Simulated internal server error" };
}
