// End-of-stage warning when requests went out late because their bodies were not built in time: the
// builders (one per Worker, lib/worker/build-entry.ts) could not keep up with the rate or the slots.
// Those requests keep their intended send time, so the wait is in their schedule_delay; this line says
// why, naming the generator and the rate its builders sustained. Pure: returns a line for the caller.

export interface BuilderHealth {
  stageId: number;
  /** config.data.type */
  dataType: string;
  /** Requested rate (req/s); null for a closed loop (concurrent stage). */
  requestedRate: number | null;
  sent: number;
  /** Requests that were due, with a free slot, but waited for their body. */
  waitedForBody: number;
  /** Per builder: requests built and the time spent building them (ms). */
  builders: readonly { built: number; buildMs: number }[];
}

/** The rate the builders sustain together: each builder's requests per second of building, summed. */
export function sustainedRate(builders: BuilderHealth["builders"]): number {
  let rate = 0;
  for (const b of builders) if (b.built > 0) rate += b.buildMs > 0 ? (b.built * 1000) / b.buildMs : Infinity;
  return rate;
}

export function builderWarning(h: BuilderHealth): string | null {
  // A rate stage must never send late in silence. A closed loop starts every request at once, so a few
  // catch-ups with the builder are normal; more than 1% of its sends means the builder set the pace.
  const late = h.requestedRate === null ? h.waitedForBody > 0.01 * h.sent : h.waitedForBody > 0;
  if (!late) return null;
  const rate = sustainedRate(h.builders);
  const sustained = Number.isFinite(rate)
    ? `${Math.round(rate).toLocaleString("en-US")} req/s`
    : "an unmeasurably high rate";
  const share = h.sent > 0 ? ` (${((100 * h.waitedForBody) / h.sent).toFixed(1)}%)` : "";
  const versus =
    h.requestedRate === null
      ? "which set the closed loop's pace"
      : rate < h.requestedRate
        ? `below the ${h.requestedRate.toLocaleString("en-US")} req/s requested`
        : `enough for the ${h.requestedRate.toLocaleString("en-US")} req/s requested on average, but not at every moment (a busy machine)`;
  const builders = h.builders.length === 1 ? "its builder" : `its ${h.builders.length} builders`;
  return (
    `Stage ${h.stageId}: ${h.waitedForBody} of ${h.sent} requests${share} waited for their body after their send time; ` +
    `data generator "${h.dataType}" built about ${sustained} on ${builders}, ${versus}. ` +
    "Their wait is in schedule_delay; cheaper data (shorter prompts, a faster tokenizer) or more load.num_workers helps"
  );
}
