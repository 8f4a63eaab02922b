// Client certificates (mTLS) over both socket adapters, against a TLS server on 127.0.0.1 that
// requires one (requestCert + rejectUnauthorized) and trusts only the test CA. node:tls rather than
// node:https: Bun's https server does not expose the client's certificate to check what arrived.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Server as NetServer } from "node:net";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { tcpAdapters } from "../runtime/tcp.ts";
import { createSocketTransport, type SocketTransportOptions } from "./socket-transport.ts";
import { listenOnFreePort } from "./test-server.testing.ts";
import { makeTestPki, type TestPki } from "./tls.testing.ts";
import type { SendOutcome } from "./transport.ts";

const BODY = "data: 1\n\ndata: [DONE]\n\n";
let pki: TestPki;
let server: Server;
let url: string;
const sockets = new Set<TLSSocket>();
/** The certificate subject of every client the server accepted, and the requests that reached it. */
const accepted: string[] = [];
let requests = 0;

/** Answers each complete request (headers and a Content-Length body) with one small SSE response. */
function serve(socket: TLSSocket): void {
  sockets.add(socket);
  accepted.push(String(socket.getPeerCertificate().subject?.CN ?? ""));
  let pending = "";
  socket.on("data", (chunk: Buffer) => {
    pending += chunk.toString("latin1");
    for (;;) {
      const end = pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      pending = pending.slice(end + 4 + length);
      requests++;
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`,
      );
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => sockets.delete(socket));
}

beforeAll(async () => {
  pki = makeTestPki();
  server = createServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    serve,
  );
  server.on("tlsClientError", () => {}); // a client without a good certificate is refused: the point
  url = `https://127.0.0.1:${await listenOnFreePort(server as unknown as NetServer)}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((r) => server.close(r));
  pki.remove();
});

async function sendOnce(options: SocketTransportOptions): Promise<{ outcome: SendOutcome; body: string }> {
  const transport = createSocketTransport(options);
  let body = "";
  try {
    const outcome = await transport.send(
      { method: "POST", path: "/v1/completions", headers: {}, body: "{}" },
      { onSent: () => {}, onHeaders: () => {}, onData: (c) => (body += new TextDecoder().decode(c)) },
      { timeoutMs: 5000 },
    );
    return { outcome, body };
  } finally {
    transport.close();
  }
}

describe.each(Object.keys(tcpAdapters) as (keyof typeof tcpAdapters)[])(
  "client certificates over %s sockets",
  (adapter) => {
    const connect = tcpAdapters[adapter];

    test("with the client certificate, the request reaches a server that requires one", async () => {
      const [before, beforeRequests] = [accepted.length, requests];
      const { outcome, body } = await sendOnce({
        baseUrl: url,
        maxConnections: 1,
        connect,
        tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
      });
      expect(outcome.ok).toBe(true);
      expect(body).toBe(BODY);
      expect(accepted.slice(before)).toEqual(["inferload-client"]);
      expect(requests - beforeRequests).toBe(1);
    });

    test.each([
      ["without one", null],
      ["with one the server does not trust", "stranger"],
    ] as const)("%s, the request fails as a connect failure and reaches nothing", async (_, who) => {
      const [before, beforeRequests] = [accepted.length, requests];
      const tls =
        who === null
          ? { ca: pki.ca }
          : {
              ca: pki.ca,
              cert: readFileSync(pki.files.strangerCert, "utf8"),
              key: readFileSync(pki.files.strangerKey, "utf8"),
            };
      const { outcome } = await sendOnce({ baseUrl: url, maxConnections: 1, connect, tls });
      expect(outcome).toMatchObject({ ok: false, kind: "connect" });
      expect(accepted.length).toBe(before);
      expect(requests).toBe(beforeRequests);
    });
  },
);
