// Test helper, run as a Worker by truth-probe.testing.ts: the simulator on a thread of its own. On the
// probe's main thread it would share an event loop with `inferload run`'s collector and reporting, and
// every record the collector takes would delay the simulator's receive stamp: an error of the test's
// arrangement, not of the client. Posts {url, port} once listening; on "stop", stops and posts the
// truth log.

import { requestShortSlice } from "../runtime/thread-slice.ts";
import { startSimOnFreePort } from "../sim/start.ts";
import type { TruthRecord } from "../sim/truth-log.ts";

export type SimWorkerMessage =
  | { kind: "listening"; url: string; port: number }
  | { kind: "truth"; records: TruthRecord[] };

declare const self: {
  onmessage: ((event: MessageEvent<"stop">) => void) | null;
  postMessage(message: SimWorkerMessage): void;
};

// It stamps the truth: as `inferload sim` does, it runs as soon as bytes arrive (thread-slice.ts).
await requestShortSlice();
const truth: TruthRecord[] = [];
// A fixed 40 ms prefill, as in the report this test guards against; tokens 4 ms apart.
const sim = await startSimOnFreePort({
  prefillMs: 40,
  prefillMsPerToken: 0,
  itlMs: 4,
  onTruth: (r) => truth.push(r),
});
self.onmessage = () => {
  void sim.stop().then(() => self.postMessage({ kind: "truth", records: truth }));
};
self.postMessage({ kind: "listening", url: sim.url, port: sim.port });
