// Test helper, run as its own process by data-truth.e2e.test.ts (a fresh heap, so the test runner's
// garbage does not pause the simulator): against the simulator's truth log (the simulator on a Worker
// of this process, truth-sim.testing.ts, so both clients stamp on the same clock), first the
// reference client (truth-reference.testing.ts) and then the real `inferload run` send RATE req/s for
// DURATION_S; prints one line `TRUTH {...}` with each request's TTFT error and each inter-token gap's
// error, ms. Usage: bun truth-probe.testing.ts '{"dir":…,"name":…,"data":{…},"tokenizer":…}'
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import type { ReferenceJob, ReferenceStamps } from "./truth-reference.testing.ts";
import type { SimWorkerMessage } from "./truth-sim.testing.ts";

export const RATE = 25;
export const DURATION_S = 2;
const COUNT = RATE * DURATION_S;

export interface ProbeJob {
  dir: string;
  name: string;
  data: Record<string, unknown>;
  tokenizer?: string;
  /**
   * The reference client's prompt: about the size of the case's prompts, since the simulator takes
   * longer to take in a longer request (reading and counting it on its thread), which neither client
   * can help. A short sentence when absent.
   */
  referencePrompt?: string;
}

export interface ProbeResult {
  /** The reference client's TTFT error per request (client TTFT − simulator TTFT), ms. */
  reference: number[];
  /** inferload's TTFT error per request, ms. */
  ttft: number[];
  /** inferload's inter-token gap error per gap (absolute), ms. */
  itl: number[];
  /** Where the TTFT error arises, per request: from the write to the simulator's receive stamp, ms. */
  referenceWrite: number[];
  write: number[];
}

interface Sent {
  sentMs: number;
  tokenMs: number[];
}

/** Runs `run` against the simulator on its own thread (truth-sim.testing.ts); returns [client, server]. */
async function withSim(run: (url: string, port: number) => Promise<Sent[]>): Promise<Sent[][]> {
  const worker = new Worker(new URL("./truth-sim.testing.ts", import.meta.url).href);
  let onMessage: (m: SimWorkerMessage) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    worker.onerror = (event) => reject(new Error(`simulator Worker: ${event.message}`));
  });
  worker.onmessage = (event: MessageEvent<SimWorkerMessage>) => onMessage(event.data);
  const next = <K extends SimWorkerMessage["kind"]>(kind: K) =>
    Promise.race([
      failed,
      new Promise<Extract<SimWorkerMessage, { kind: K }>>((resolve) => {
        onMessage = (m) => {
          if (m.kind === kind) resolve(m as Extract<SimWorkerMessage, { kind: K }>);
        };
      }),
    ]);
  try {
    const { url, port } = await next("listening");
    const sent = await run(url, port);
    const stopped = next("truth");
    worker.postMessage("stop");
    const truth = (await stopped).records;
    // A request without a first token (the reference client gave up on it) fails the count below.
    const client = sent
      .filter((c) => !Number.isNaN(c.tokenMs[0] ?? Number.NaN))
      .sort((a, b) => a.sentMs - b.sentMs);
    const ok = truth.filter((t) => t.outcome === "ok").sort((a, b) => a.receivedMs - b.receivedMs);
    if (client.length !== COUNT || ok.length !== COUNT)
      throw new Error(`expected ${COUNT} requests, client has ${client.length}, simulator ${ok.length}`);
    const server = ok.map((t) => ({ sentMs: t.receivedMs, tokenMs: t.tokenMs }));
    return [client, server];
  } finally {
    worker.terminate();
  }
}

/** Pairs the i-th request sent with the i-th received: one sender, 40 ms apart, keeps them in order. */
function ttftErrors([client, server]: Sent[][]): number[] {
  return client!.map((c, i) => {
    const t = server![i]!;
    if (!(c.sentMs <= t.sentMs + 0.01) || !(c.tokenMs[0]! >= t.tokenMs[0]! - 0.01))
      throw new Error(`request ${i} breaks causality: sent ${c.sentMs}, received ${t.sentMs}`);
    return c.tokenMs[0]! - c.sentMs - (t.tokenMs[0]! - t.sentMs);
  });
}

function itlErrors([client, server]: Sent[][]): number[] {
  const out: number[] = [];
  client!.forEach((c, i) => {
    const t = server![i]!.tokenMs;
    if (c.tokenMs.length !== t.length)
      throw new Error(`request ${i}: ${c.tokenMs.length} tokens, truth ${t.length}`);
    for (let k = 1; k < t.length; k++)
      out.push(Math.abs(c.tokenMs[k]! - c.tokenMs[k - 1]! - (t[k]! - t[k - 1]!)));
  });
  return out;
}

async function reference(port: number, prompt: string): Promise<Sent[]> {
  const worker = new Worker(new URL("./truth-reference.testing.ts", import.meta.url).href);
  try {
    const body = JSON.stringify({
      model: "sim-model",
      prompt,
      max_tokens: 20,
      stream: true,
      ignore_eos: true,
    });
    const job: ReferenceJob = { port, count: COUNT, intervalMs: 1000 / RATE, body };
    const stamps = await new Promise<ReferenceStamps>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ReferenceStamps>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage(job);
    });
    return stamps.sentMs.map((sentMs, i) => ({ sentMs, tokenMs: [stamps.firstTokenMs[i]!] }));
  } finally {
    worker.terminate();
  }
}

async function inferload(job: ProbeJob, url: string): Promise<Sent[]> {
  const out = join(job.dir, job.name);
  const config = join(job.dir, `${job.name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      api: { type: "completion", streaming: true },
      data: job.data,
      load: {
        type: "constant",
        stages: [{ rate: RATE, duration: DURATION_S }],
        num_workers: 1,
        interval: 0,
        base_seed: 7,
      },
      server: { base_url: url, model_name: "sim-model", ignore_eos: true },
      ...(job.tokenizer === undefined ? {} : { tokenizer: { pretrained_model_name_or_path: job.tokenizer } }),
      report: { request_lifecycle: { per_request: true } },
    }),
  );
  const code = await runCli(["run", "-c", config, "--quiet", "--output-dir", out]);
  if (code !== 0) throw new Error(`inferload run exited ${code}`);
  type Entry = { start_time: number; info: { output_token_times: number[] }; error: unknown };
  const entries = JSON.parse(
    readFileSync(join(out, "per_request_lifecycle_metrics.json"), "utf8"),
  ) as Entry[];
  return entries
    .filter((e) => e.error === null)
    .map((e) => ({ sentMs: e.start_time * 1000, tokenMs: e.info.output_token_times.map((s) => s * 1000) }));
}

/** Per request, the simulator's receive stamp minus the client's write stamp, ms. */
function writeToReceived([client, server]: Sent[][]): number[] {
  return client!.map((c, i) => server![i]!.sentMs - c.sentMs);
}

export async function probe(job: ProbeJob): Promise<ProbeResult> {
  const ref = await withSim((_, port) =>
    reference(port, job.referencePrompt ?? "Reference prompt for the truth probe."),
  );
  const run = await withSim((url) => inferload(job, url));
  return {
    reference: ttftErrors(ref),
    ttft: ttftErrors(run),
    itl: itlErrors(run),
    referenceWrite: writeToReceived(ref),
    write: writeToReceived(run),
  };
}

if (import.meta.main) {
  const result = await probe(JSON.parse(process.argv[2]!) as ProbeJob);
  console.log(`TRUTH ${JSON.stringify(result)}`);
  process.exit(0);
}
