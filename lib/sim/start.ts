// Start the simulator in this process: `startSim(options)` for the CLI, `startSimOnFreePort(options)` for
// tests (a random port in 20000-32000 on 127.0.0.1, never an ephemeral one, retrying when taken).
import { loadedDefaultTokenizer } from "../data/tokenizer/default.ts";
import type { Tokenizer } from "../data/types.ts";
import { listen } from "../runtime/serve.ts";
import { resolveSimOptions, type SimOptions, type SimOptionsInput } from "./options.ts";
import { createSimHandler } from "./server.ts";
import { createSimState, type SimStats } from "./state.ts";
import { createTruthLogFile, type TruthSink } from "./truth-log.ts";

export interface StartSimInput extends SimOptionsInput {
  /** Counts prompt tokens and picks the output words; the client's default tokenizer unless given. */
  tokenizer?: Tokenizer;
  /** Receives one truth record per request (in addition to truthLogPath, if set). */
  onTruth?: TruthSink;
}

export interface RunningSim {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:23456 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly options: SimOptions;
  /** In-process counters: running, waiting, in flight, peaks, requests per model, faults. */
  stats(): SimStats;
  /** Restart the peak counters (maxConcurrent, maxRunning, maxWaiting) from the current load. */
  resetPeaks(): void;
  /** The /metrics text. */
  metricsText(): string;
  /** Stop listening, drop open connections, flush the truth log. */
  stop(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export async function startSim(input: StartSimInput = {}): Promise<RunningSim> {
  const { tokenizer, onTruth, ...rest } = input;
  const options = resolveSimOptions(rest);
  const file = options.truthLogPath === null ? null : createTruthLogFile(options.truthLogPath);
  const sinks = [file?.sink, onTruth].filter((s): s is TruthSink => s !== undefined);
  const truth: TruthSink | null =
    sinks.length === 0
      ? null
      : (record) => {
          for (const sink of sinks) sink(record);
        };
  // Loaded now: the first request must not wait for the vocabulary (it would show as latency).
  const state = createSimState(options, { tokenizer: tokenizer ?? loadedDefaultTokenizer(), truth });
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(createSimHandler(state), {
      host: options.host,
      port: options.port,
      clock: state.clock,
    });
  } catch (error) {
    state.stopTicking();
    await file?.close();
    throw error;
  }
  let stopped: Promise<void> | null = null;
  return {
    url: `http://${urlHost(listening.host)}:${listening.port}`,
    host: listening.host,
    port: listening.port,
    options: { ...options, port: listening.port },
    stats: () => state.stats(),
    resetPeaks: () => state.engine.resetPeaks(),
    metricsText: () => state.renderMetrics(),
    stop() {
      stopped ??= (async () => {
        state.stopTicking();
        await listening.close();
        await file?.close();
      })();
      return stopped;
    },
  };
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "EADDRINUSE";
}

/** startSim on 127.0.0.1 and a random port in [20000, 32000), retrying up to 50 ports that are taken. */
export async function startSimOnFreePort(
  input: Omit<StartSimInput, "host" | "port"> = {},
): Promise<RunningSim> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    try {
      return await startSim({ ...input, host: "127.0.0.1", port });
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
      lastError = error;
    }
  }
  throw new Error("No free port found in 20000-32000 after 50 attempts", { cause: lastError });
}
