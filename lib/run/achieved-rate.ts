// The achieved send rate of an open-loop stage, for its end-of-stage warning. Pure.

/** The stage numbers the rate needs; the collector's MetricsSnapshot fits. */
export interface SendSpan {
  count: number;
  /** Latest send of the stage, ms on the shared clock. */
  lastSentMs: number;
}

/**
 * The requested rate scaled by how much longer the sends took than planned. Planned span = last offset
 * + one nominal gap; actual span = last send − stage start + one nominal gap. For evenly spaced sends
 * that is n / actual span; for Poisson it removes the randomness of the planned span, which a small
 * stage would otherwise turn into false warnings.
 */
export function achievedRate(
  span: SendSpan,
  t0Ms: number,
  requestedRate: number,
  lastOffsetMs: number,
): number {
  if (span.count === 0) return 0;
  const gapS = 1 / requestedRate;
  const plannedS = lastOffsetMs / 1000 + gapS;
  const actualS = Math.max(plannedS, (span.lastSentMs - t0Ms) / 1000 + gapS);
  return (requestedRate * plannedS) / actualS;
}
