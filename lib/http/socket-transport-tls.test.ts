import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tcpAdapters } from "../runtime/tcp.ts";
import { createSocketTransport as createWith, type SocketTransportOptions } from "./socket-transport.ts";
import { listenOnFreePort } from "./test-server.testing.ts";

// A throwaway self-signed certificate for 127.0.0.1 (openssl is on the CI image and dev boxes).
let dir: string;
let cert: string;
let server: Server;
let url: string;
let connections = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "inferload-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  cert = readFileSync(join(dir, "cert.pem"), "utf8");
  server = createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      setTimeout(() => res.end("data: [DONE]\n\n"), 2);
    });
  });
  server.on("secureConnection", () => connections++);
  url = `https://127.0.0.1:${await listenOnFreePort(server as unknown as NetServer)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.keys(tcpAdapters) as (keyof typeof tcpAdapters)[])(
  "createSocketTransport() over https, %s sockets",
  (adapter) => {
    const createSocketTransport = (options: SocketTransportOptions) =>
      createWith({ ...options, connect: tcpAdapters[adapter] });
    let base = 0;
    beforeAll(() => {
      base = connections;
    });

    test("streams over TLS and keeps the connection alive", async () => {
      const t = createSocketTransport({ baseUrl: url, maxConnections: 4, tls: { ca: cert } });
      for (let i = 0; i < 5; i++) {
        let body = "";
        const outcome = await t.send(
          { method: "POST", path: "/v1/completions", headers: {}, body: "{}" },
          { onSent: () => {}, onHeaders: () => {}, onData: (c) => (body += new TextDecoder().decode(c)) },
          { timeoutMs: 5000 },
        );
        expect(outcome).toMatchObject({ ok: true, connection: i === 0 ? "new" : "reused" });
        expect(body).toBe("data: 1\n\ndata: [DONE]\n\n");
      }
      expect(t.stats().opened).toBe(1);
      expect(connections - base).toBe(1);
      t.close();
    });

    test("refuses a certificate it cannot verify, as a connect failure", async () => {
      const t = createSocketTransport({ baseUrl: url, maxConnections: 1 });
      const outcome = await t.send(
        { method: "POST", path: "/", headers: {}, body: "{}" },
        { onSent: () => {}, onHeaders: () => {}, onData: () => {} },
        { timeoutMs: 5000 },
      );
      expect(outcome).toMatchObject({ ok: false, kind: "connect", connection: "new" });
      // Never up: an unverified server is no connection, so it has no connect time.
      expect(Number.isNaN(outcome.connectMs)).toBe(true);
      t.close();
    });
  },
);
