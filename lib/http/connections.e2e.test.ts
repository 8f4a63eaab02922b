// End to end: `inferload run` (Workers, socket transport, records, reports) against small servers that
// close connections the way real ones do: `Connection: close` after every response, a bare FIN after
// every response (llama.cpp's server), and one that holds a request on a kept-alive connection and
// then drops it. Re-sends stay the exception, every connection is counted in the stage report, and a
// dropped request is a failure, never a silent re-send.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { startRawTestServer } from "./test-server.testing.ts";

const dir = tempDirForTests("inferload-connections-");

/** A short chat stream: three token events in separate writes, then [DONE]. */
function streamResponse(socket: Socket, header: string, then: () => void): void {
  const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
  const event = (content: string) =>
    chunk(`data: {"choices":[{"index":0,"delta":{"content":"${content}"}}]}\n\n`);
  socket.write(
    `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n${header}\r\n`,
  );
  let n = 0;
  const tick = setInterval(() => {
    if (socket.destroyed) return clearInterval(tick);
    if (n < 3) socket.write(event(` w${n}`));
    else {
      clearInterval(tick);
      socket.write(`${chunk("data: [DONE]\n\n")}0\r\n\r\n`);
      then();
    }
    n++;
  }, 1);
}

/** `requests` back to back against a raw server that answers with `respond`: the stage's report. */
async function runAgainst(name: string, respond: Parameters<typeof startRawTestServer>[0], requests: number) {
  const server = await startRawTestServer(respond);
  try {
    return await run(name, server.url, requests);
  } finally {
    await server.stop();
  }
}

async function run(name: string, url: string, requests: number) {
  const config = join(dir, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      api: { type: "chat", streaming: true },
      data: { type: "mock" },
      // Back to back on one connection slot: the closed loop races each close hardest.
      load: {
        type: "concurrent",
        num_workers: 1,
        interval: 0,
        stages: [{ num_requests: requests, concurrency_level: 1 }],
      },
      server: { base_url: url, model_name: "m" },
    }),
  );
  const out = join(dir, name);
  expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
  return JSON.parse(readFileSync(join(out, "stage_0_lifecycle_metrics.json"), "utf8"));
}

test("a server that sends Connection: close after each response: one connection per request, none re-sent", async () => {
  const report = await runAgainst(
    "header-close",
    (socket) => streamResponse(socket, "Connection: close\r\n", () => socket.end()),
    40,
  );
  expect(report.successes.count).toBe(40);
  expect(report.failures.count).toBe(0);
  expect(report.connections).toMatchObject({ opened: 40, reused: 0, closed_by_server: 40, resent: 0 });
  expect(report.connections.connect_time_ms.median).toBeGreaterThan(0);
}, 60_000);

test("a server that closes with a bare FIN after each response: re-sends near zero, one connection per request", async () => {
  let processed = 0;
  const report = await runAgainst(
    "fin-close",
    (socket) => {
      if (socket.writableEnded) return; // a request that raced our FIN: never processed
      processed++;
      streamResponse(socket, "", () => socket.end());
    },
    40,
  );
  expect(report.successes.count).toBe(40);
  expect(report.failures.count).toBe(0);
  const { opened, reused, resent, closed_by_server } = report.connections;
  // Each connection's first response is watched for a close before reuse, so no request races the
  // FIN; a stall on this busy 2-core machine may still let one through (then it is re-sent, once).
  expect(resent).toBeLessThanOrEqual(1);
  expect(reused).toBe(resent);
  expect(opened).toBe(40);
  // Every close is seen, but the last connection's may come after the stage's last request ended.
  expect(closed_by_server).toBeGreaterThanOrEqual(39);
  // The server's own count agrees (server.model_name is set, so no GET /v1/models came first).
  expect(processed).toBe(40);
}, 60_000);

test("a server that holds a request 300 ms on a reused connection and drops it: a dropped failure, not re-sent", async () => {
  let received = 0;
  const report = await runAgainst(
    "hold-drop",
    (socket, n) => {
      received++;
      // Per connection: the first request is answered, the second held and then dropped.
      if (n === 1) streamResponse(socket, "", () => {});
      else setTimeout(() => socket.destroy(), 300);
    },
    4,
  );
  // Connections serve requests in pairs: answered, dropped.
  expect(report.successes.count).toBe(2);
  expect(report.failures.count).toBe(2);
  expect(report.failures.by_kind).toEqual({ dropped: 2 });
  expect(report.failures.request_latency.min).toBeGreaterThanOrEqual(0.25);
  expect(report.connections).toMatchObject({ opened: 2, reused: 2, resent: 0, closed_by_server: 2 });
  expect(received).toBe(4); // nothing was sent twice
}, 60_000);
