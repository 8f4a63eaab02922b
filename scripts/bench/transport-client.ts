// The transport alone in a closed loop (no response reader, no records): the client half of
// `bun scripts/bench/load.ts transport`, which starts the simulator and pins this process.
//   bun scripts/bench/transport-client.ts URL streaming(0|1) REQUESTS [CONCURRENCY=64] [ADAPTER=bun|node|default]
// READER=1 also feeds each response to the real response reader (lib/api/response.ts), as a Worker does.
// BODY=bytes sends the body as UTF-8 bytes, a view into a larger buffer, as a builder's batch hands it over.
// Prints one JSON line: CPU µs per request over the measured part (after a 10% warm-up), and the rate.
import { createResponseReader } from "../../lib/api/response.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import { createSocketTransport } from "../../lib/http/socket-transport.ts";
import type { HttpRequest, ResponseHandler } from "../../lib/http/transport.ts";
import { defaultTcpConnect, type TcpConnect, tcpAdapters } from "../../lib/runtime/tcp.ts";

const [url = "", streamingArg = "1", requestsArg = "50000", concurrencyArg = "64", adapter = "default"] =
  process.argv.slice(2);
const streaming = streamingArg === "1";
const requests = Number(requestsArg);
const concurrency = Number(concurrencyArg);

const base = adapter === "bun" || adapter === "node" ? tcpAdapters[adapter] : defaultTcpConnect();
// Counts socket reads: CPU per request scales with them, and they vary with the server's pacing.
let reads = 0;
const connect: TcpConnect = (options, events) =>
  base(options, {
    onOpen: () => events.onOpen(),
    onData: (chunk) => {
      reads++;
      events.onData(chunk);
    },
    onClose: (error) => events.onClose(error),
  });
const transport = createSocketTransport({ baseUrl: url, maxConnections: concurrency, connect });
// The body lib/api/request.ts builds: streamed requests ask for the usage chunk.
const body = JSON.stringify({
  model: "sim-model",
  prompt: "1 2 3 1",
  max_tokens: 30,
  stream: streaming,
  ...(streaming ? { stream_options: { include_usage: true } } : {}),
});
const batch = new Uint8Array(64 * 1024);
const { written } = new TextEncoder().encodeInto(body, batch.subarray(100));
const bodyBytes = batch.subarray(100, 100 + written);
const sentBody = process.env.BODY === "bytes" ? bodyBytes : body;
// A fresh request and headers object each time, as lib/api/request.ts builds them.
const request = (): HttpRequest => ({
  method: "POST",
  path: "/v1/completions",
  headers: {
    "content-type": "application/json",
    accept: streaming ? "text/event-stream" : "application/json",
    authorization: "Bearer none",
  },
  body: sentBody,
});
let bytes = 0;
let failed = 0;
const counting: ResponseHandler = {
  onSent: () => {},
  onHeaders: () => {},
  onData: (chunk) => {
    bytes += chunk.length;
  },
};
const tokenizer = defaultTokenizer();
const withReader = process.env.READER === "1";

/** The handler for one request: byte counting, or a fresh response reader (finished by the caller). */
function handlerFor(): { handler: ResponseHandler; finish: (atMs: number) => void } {
  if (!withReader) return { handler: counting, finish: () => {} };
  const reader = createResponseReader({ streamed: streaming, apiType: "completion", tokenizer });
  return {
    handler: {
      onSent: () => {},
      onHeaders: (status, at) => reader.onHeaders(status, at),
      onData: (chunk, at) => {
        bytes += chunk.length;
        reader.onData(chunk, at);
      },
    },
    finish: (at) => {
      if (reader.finish(at).failure !== null) failed++;
    },
  };
}

async function loop(count: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      const { handler, finish } = handlerFor();
      const outcome = await transport.send(request(), handler, { timeoutMs: null });
      if (!outcome.ok) failed++;
      finish(outcome.endMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

await loop(Math.ceil(requests / 10));
reads = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await loop(requests);
const cpu = process.cpuUsage(cpu0);
const wallS = (performance.now() - t0) / 1000;
transport.close();
process.stdout.write(
  `${JSON.stringify({
    adapter,
    reader: withReader,
    streaming,
    requests,
    concurrency,
    usPerRequest: (cpu.user + cpu.system) / requests,
    rate: requests / wallS,
    readsPerRequest: reads / requests,
    bytesPerRequest: bytes / (requests + Math.ceil(requests / 10)),
    failed,
  })}\n`,
);
