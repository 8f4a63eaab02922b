import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { tcpAdapters } from "../runtime/tcp.ts";
import { createSocketTransport as createWith, type SocketTransportOptions } from "./socket-transport.ts";
import {
  listenOnFreePort,
  startHttpTestServer,
  startRawTestServer,
  type TestServer,
} from "./test-server.testing.ts";
import type { HttpRequest, ResponseHandler, Transport } from "./transport.ts";

function collector() {
  const dec = new TextDecoder();
  const seen = { sent: 0, sends: 0, status: 0, headersMs: 0, body: "", dataTimes: [] as number[] };
  const handler: ResponseHandler = {
    onSent: (at) => {
      seen.sent = at;
      seen.sends++;
    },
    onHeaders: (status, at) => {
      seen.status = status;
      seen.headersMs = at;
    },
    onData: (chunk, at) => {
      seen.body += dec.decode(chunk, { stream: true });
      seen.dataTimes.push(at);
    },
  };
  return { seen, handler };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!check() && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
}

const post = (path: string, body = "{}"): HttpRequest => ({
  method: "POST",
  path,
  headers: { "content-type": "application/json" },
  body,
});

/** POSTs to `path` and reads the response (each with its own collector), within 5 s. */
const postTo = (t: Transport, path: string) => t.send(post(path), collector().handler, { timeoutMs: 5000 });

let server: TestServer;
beforeAll(async () => {
  server = await startHttpTestServer();
});
afterAll(() => server.stop());

// Every behaviour holds over both socket adapters: Bun.connect (the default under Bun) and node:net
// (what Deno uses; it runs under Bun too).
describe.each(Object.keys(tcpAdapters) as (keyof typeof tcpAdapters)[])(
  "createSocketTransport() over %s sockets",
  (adapter) => {
    const createSocketTransport = (options: SocketTransportOptions) =>
      createWith({ ...options, connect: tcpAdapters[adapter] });
    /** Runs `fn` with a one-connection transport to a raw server that answers with `respond`; stops both. */
    const withRawServer = async (
      respond: Parameters<typeof startRawTestServer>[0],
      fn: (t: Transport) => Promise<void>,
    ) => {
      const raw = await startRawTestServer(respond);
      const t = createSocketTransport({ baseUrl: raw.url, maxConnections: 1 });
      try {
        await fn(t);
      } finally {
        t.close();
        await raw.stop();
      }
    };

    test("reuses one keep-alive connection for sequential requests and returns each body", async () => {
      const before = server.connections().total;
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 10 });
      for (let i = 0; i < 20; i++) {
        const { seen, handler } = collector();
        const outcome = await t.send(post("/echo", `{"i":${i},"text":"héllo"}`), handler, {
          timeoutMs: 5000,
        });
        expect(outcome.ok).toBe(true);
        expect(seen.status).toBe(200);
        expect(seen.body).toBe(`{"i":${i},"text":"héllo"}`);
        expect(seen.headersMs).toBeGreaterThanOrEqual(seen.sent);
      }
      expect(t.stats().opened).toBe(1);
      expect(server.connections().total - before).toBe(1);
      t.close();
    });

    test("delivers a chunked stream as its events arrive, with increasing receive times", async () => {
      const t = createSocketTransport({ baseUrl: `${server.url}/`, maxConnections: 1 });
      const { seen, handler } = collector();
      const outcome = await t.send(post("/sse"), handler, { timeoutMs: 5000 });
      expect(outcome.ok).toBe(true);
      expect(seen.body).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\n");
      expect(seen.dataTimes.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < seen.dataTimes.length; i++)
        expect(seen.dataTimes[i]!).toBeGreaterThanOrEqual(seen.dataTimes[i - 1]!);
      t.close();
    });

    test("opens one connection per concurrent request, never more than maxConnections", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 3 });
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => postTo(t, "/sse")));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(t.stats().opened).toBe(3);
      t.close();
      const t2 = createSocketTransport({ baseUrl: server.url, maxConnections: 100 });
      await Promise.all(Array.from({ length: 8 }, () => postTo(t2, "/sse")));
      expect(t2.stats().opened).toBe(8);
      t2.close();
    });

    test("handles a server that closes after each response (Connection: close) without failures or re-sends", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 4 });
      let serverCloses = 0;
      for (let i = 0; i < 10; i++) {
        const outcome = await postTo(t, "/close");
        expect(outcome).toMatchObject({ ok: true, connection: "new", resent: false });
        serverCloses += outcome.serverCloses;
      }
      // Each close is counted with the request it ended: the header says so before the response ends.
      expect(serverCloses).toBe(10);
      expect(t.stats()).toMatchObject({ opened: 10, retried: 0, serverClosed: 10 });
      t.close();
    });

    test("never reuses a connection after an HTTP/1.0 response without keep-alive", async () => {
      await withRawServer(
        (socket) => {
          socket.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"); // and keeps the socket open
        },
        async (t) => {
          for (let i = 0; i < 3; i++) {
            const outcome = await postTo(t, "/");
            expect(outcome).toMatchObject({ ok: true, connection: "new", resent: false, serverCloses: 1 });
          }
          expect(t.stats()).toMatchObject({ opened: 3, retried: 0 });
        },
      );
    });

    test("reports each request's connection: new with its connect time, then reused", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 1 });
      const first = await postTo(t, "/echo");
      expect(first).toMatchObject({ ok: true, connection: "new", resent: false, serverCloses: 0 });
      expect(first.connectMs).toBeGreaterThan(0);
      expect(first.connectMs).toBeLessThan(1000);
      const second = await postTo(t, "/echo");
      expect(second).toMatchObject({ ok: true, connection: "reused", resent: false });
      expect(Number.isNaN(second.connectMs)).toBe(true);
      t.close();
    });

    test("takes a connection the server closed while idle out of the pool: the next request opens a new one", async () => {
      await withRawServer(
        (socket) => {
          socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // FIN, no Connection: close
        },
        async (t) => {
          expect((await postTo(t, "/")).ok).toBe(true);
          await until(() => t.stats().open === 0);
          const second = await postTo(t, "/");
          expect(second).toMatchObject({ ok: true, connection: "new", resent: false, serverCloses: 1 });
          expect(t.stats()).toMatchObject({ opened: 2, retried: 0 });
        },
      );
    });

    test("against a server that closes after every response with a FIN and no header, back-to-back requests are almost never re-sent", async () => {
      let processed = 0;
      await withRawServer(
        (socket) => {
          if (socket.writableEnded) return; // a request raced our FIN: never processed
          processed++;
          socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        },
        async (t) => {
          let serverCloses = 0;
          for (let i = 0; i < 50; i++) {
            const outcome = await postTo(t, "/");
            expect(outcome.ok).toBe(true);
            serverCloses += outcome.serverCloses;
          }
          // The first response's connection is held a moment, long enough to see the FIN; from then on
          // finished connections wait for the server's close instead of going back to the pool: one per
          // request. (A stall on a busy machine may let one request race a FIN: it is re-sent, once.)
          const { retried, opened } = t.stats();
          expect(retried).toBeLessThanOrEqual(1);
          expect(opened).toBe(50);
          expect(processed).toBe(50);
          // Every close but (at most) the last connection's has been seen by the time the last request ends.
          expect(serverCloses).toBeGreaterThanOrEqual(49);
        },
      );
    });

    test("goes back to reusing connections when a server that closed one quickly keeps the next alive", async () => {
      let connections = 0;
      await withRawServer(
        (socket, n) => {
          if (n === 1) connections++;
          const response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
          if (connections === 1) socket.end(response);
          else socket.write(response);
        },
        async (t) => {
          expect((await postTo(t, "/")).ok).toBe(true);
          await until(() => t.stats().open === 0); // closed quickly: later connections wait for a close
          expect(await postTo(t, "/")).toMatchObject({
            ok: true,
            connection: "new",
          });
          await new Promise((r) => setTimeout(r, 150)); // no close came: back in the pool
          expect(await postTo(t, "/")).toMatchObject({
            ok: true,
            connection: "reused",
          });
          expect(t.stats()).toMatchObject({ opened: 2, retried: 0, serverClosed: 1 });
        },
      );
    });

    test("re-sends once, not as a failure, when a reused connection was closed by the server at the write", async () => {
      // Answers the first request on each connection, then drops the connection on the second.
      await withRawServer(
        (socket, n) => {
          if (n === 1) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          else socket.destroy();
        },
        async (t) => {
          expect((await postTo(t, "/")).ok).toBe(true);
          const { seen, handler } = collector();
          const second = await t.send(post("/"), handler, { timeoutMs: 5000 });
          expect(second).toMatchObject({ ok: true, connection: "reused", resent: true, serverCloses: 1 });
          expect(second.connectMs).toBeGreaterThan(0); // the re-send's new connection
          expect(seen.body).toBe("ok");
          // Sent once as far as the caller knows: latency counts from the first attempt.
          expect(seen.sends).toBe(1);
          expect(t.stats()).toMatchObject({ opened: 2, retried: 1 });
        },
      );
    });

    test("a new connection the server closes at once is a connect failure; one it holds 300 ms and drops is dropped", async () => {
      let connections = 0;
      await withRawServer(
        (socket) => {
          if (++connections === 1) socket.destroy();
          else setTimeout(() => socket.destroy(), 300);
        },
        async (t) => {
          const refused = await postTo(t, "/");
          expect(refused).toMatchObject({ ok: false, kind: "connect", connection: "new", resent: false });
          const { seen, handler } = collector();
          const dropped = await t.send(post("/"), handler, { timeoutMs: 5000 });
          expect(dropped).toMatchObject({ ok: false, kind: "dropped", connection: "new", resent: false });
          expect(dropped.endMs - seen.sent).toBeGreaterThanOrEqual(250);
          expect(t.stats()).toMatchObject({ opened: 2, retried: 0, serverClosed: 2 });
        },
      );
    });

    test("a reused connection the server holds 300 ms and then drops is a failure, never re-sent", async () => {
      let requests = 0;
      await withRawServer(
        (socket, n) => {
          requests++;
          if (n === 1) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          else setTimeout(() => socket.destroy(), 300);
        },
        async (t) => {
          expect((await postTo(t, "/")).ok).toBe(true);
          const { seen, handler } = collector();
          const dropped = await t.send(post("/"), handler, { timeoutMs: 5000 });
          expect(dropped).toMatchObject({ ok: false, kind: "dropped", connection: "reused", resent: false });
          expect(dropped.endMs - seen.sent).toBeGreaterThanOrEqual(250);
          await new Promise((r) => setTimeout(r, 20));
          expect(requests).toBe(2);
          expect(t.stats()).toMatchObject({ opened: 1, retried: 0, serverClosed: 1 });
        },
      );
    });

    test("counts a request as a timeout when load.request_timeout passes", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 1 });
      const outcome = await t.send(post("/hang"), collector().handler, { timeoutMs: 50 });
      expect(outcome).toMatchObject({ ok: false, kind: "timeout" });
      // The timed-out connection is not reused: the next request gets a fresh one and succeeds.
      expect((await postTo(t, "/echo")).ok).toBe(true);
      t.close();
    });

    test("reports a refused connection as a connect failure", async () => {
      const probe = createServer();
      const port = await listenOnFreePort(probe);
      await new Promise((r) => probe.close(r));
      const t = createSocketTransport({ baseUrl: `http://127.0.0.1:${port}`, maxConnections: 1 });
      expect(await postTo(t, "/")).toMatchObject({
        ok: false,
        kind: "connect",
      });
      t.close();
    });

    test("reports a stream cut after the headers as a stream error", async () => {
      await withRawServer(
        (socket) => {
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
          setTimeout(() => socket.destroy(), 5);
        },
        async (t) => {
          expect(await postTo(t, "/")).toMatchObject({
            ok: false,
            kind: "stream_error",
          });
        },
      );
    });

    test("ends requests still running as cancelled on close()", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 1 });
      const pending = [
        t.send(post("/hang"), collector().handler, { timeoutMs: null }),
        t.send(post("/hang"), collector().handler, { timeoutMs: null }),
      ];
      await new Promise((r) => setTimeout(r, 20));
      t.close();
      for (const p of pending) expect(await p).toMatchObject({ ok: false, kind: "cancelled" });
    });

    test("sends a request body far larger than one socket write, intact", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 1 });
      const big = JSON.stringify({ text: "é word ".repeat(300_000) });
      const { seen, handler } = collector();
      const outcome = await t.send(post("/echo", big), handler, { timeoutMs: 10_000 });
      expect(outcome.ok).toBe(true);
      expect(seen.body.length).toBe(big.length);
      expect(seen.body === big).toBe(true);
      t.close();
    });

    test("reads a body without a length until the server closes the connection", async () => {
      await withRawServer(
        (socket) => {
          socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ndata: 1\n\n");
          setTimeout(() => socket.end("data: 2\n\n"), 5);
        },
        async (t) => {
          const { seen, handler } = collector();
          expect((await t.send(post("/"), handler, { timeoutMs: 5000 })).ok).toBe(true);
          expect(seen.body).toBe("data: 1\n\ndata: 2\n\n");
          expect((await postTo(t, "/")).ok).toBe(true);
          expect(t.stats().opened).toBe(2);
        },
      );
    });

    test("sends each request's own method, headers and length, also when they change between requests", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 1 });
      const json = { "content-type": "application/json" };
      const to = (
        method: HttpRequest["method"],
        headers: Record<string, string>,
        body: HttpRequest["body"],
      ) => ({ method, path: "/headers", headers, body }) satisfies HttpRequest;
      const variants: HttpRequest[] = [
        to("POST", { ...json, "x-a": "1" }, "{}"),
        to("POST", { ...json, "x-a": "1" }, '{"k":"é"}'),
        to("POST", { ...json, "x-a": "2" }, "{}"),
        to("POST", { "x-a": "2", ...json }, "{}"),
        to("POST", { "x-a": "2" }, "{}"),
        // A body built ahead as UTF-8 bytes goes out the same as its text.
        to("POST", { "x-a": "2" }, new TextEncoder().encode('{"k":"é"}')),
        // A header value beyond ASCII: the head's byte length is not its length in characters.
        to("POST", { "x-a": "2", "x-b": "café ü" }, new TextEncoder().encode('{"k":"é"}')),
        to("GET", { "x-a": "2" }, ""),
      ];
      for (const request of [...variants, ...variants]) {
        const { seen, handler } = collector();
        expect(
          (await t.send({ ...request, headers: { ...request.headers } }, handler, { timeoutMs: 5000 })).ok,
        ).toBe(true);
        const got = JSON.parse(seen.body) as {
          method: string;
          headers: Record<string, string>;
          body: string;
        };
        const text = typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body);
        expect(got.method).toBe(request.method);
        expect(got.body).toBe(text);
        expect(got.headers["x-a"]).toBe(request.headers["x-a"]);
        // Sent as UTF-8; the server reads header bytes as Latin-1.
        const xb = request.headers["x-b"];
        if (xb !== undefined) expect(got.headers["x-b"]).toBe(Buffer.from(xb).toString("latin1"));
        expect(got.headers["content-type"]).toBe(request.headers["content-type"]);
        if (request.method === "POST")
          expect(got.headers["content-length"]).toBe(String(Buffer.byteLength(text)));
      }
      t.close();
    });

    test("sends the current headers when the caller changes one headers object between requests", async () => {
      const t = createSocketTransport({ baseUrl: server.url, maxConnections: 1 });
      const shared: Record<string, string> = { "x-a": "1" };
      for (const value of ["1", "2", "2", "3"]) {
        shared["x-a"] = value;
        const { seen, handler } = collector();
        await t.send({ method: "POST", path: "/headers", headers: shared, body: "{}" }, handler, {
          timeoutMs: 5000,
        });
        expect((JSON.parse(seen.body) as { headers: Record<string, string> }).headers["x-a"]).toBe(value);
      }
      t.close();
    });
  },
);
