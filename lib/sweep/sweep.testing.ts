// Test helper: the sweep settings the sweep's unit tests start from.
import type { SweepSettings } from "./summary.ts";

/** `load.sweep` as the schema fills it in (2,000 probe requests within 60 s, 5 stages of 180 s, p95), linear. */
export const linearSweepDefaults: SweepSettings = {
  type: "linear",
  num_requests: 2000,
  timeout: 60,
  num_stages: 5,
  stage_duration: 180,
  saturation_percentile: 95,
};
