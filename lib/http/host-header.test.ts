// The request head carries exactly one Host header: the URL's, or the caller's in its place.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { createSocketTransport } from "./socket-transport.ts";
import { listenOnFreePort } from "./test-server.testing.ts";

let server: Server;
let url = "";
const heads: string[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    let buffered = "";
    socket.on("data", (data) => {
      buffered += data.toString("latin1");
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      heads.push(buffered.slice(0, end));
      buffered = "";
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
  });
  url = `http://127.0.0.1:${await listenOnFreePort(server)}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const handler = { onSent: () => {}, onHeaders: () => {}, onData: () => {} };

async function headFor(headers: Record<string, string>): Promise<string[]> {
  const t = createSocketTransport({ baseUrl: url, maxConnections: 1 });
  const outcome = await t.send({ method: "GET", path: "/v1/models", headers, body: "" }, handler, {
    timeoutMs: 5000,
  });
  t.close();
  expect(outcome.ok).toBe(true);
  return heads.at(-1)!.split("\r\n");
}

describe("createSocketTransport() Host header", () => {
  test("sends the URL's host when the caller gives none", async () => {
    const lines = await headFor({ accept: "application/json" });
    expect(lines.filter((line) => /^host:/i.test(line))).toEqual([`Host: ${new URL(url).host}`]);
  });

  test("sends the caller's Host instead of the URL's, once", async () => {
    const lines = await headFor({ host: "models.internal" });
    expect(lines.filter((line) => /^host:/i.test(line))).toEqual(["host: models.internal"]);
  });
});
