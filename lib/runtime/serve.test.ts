import { afterEach, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { type HttpRequest, type HttpResponse, type Listening, listen, type RequestHandler } from "./serve.ts";
import { tcpListenAdapters } from "./tcp-listen.ts";

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw client: everything the server sent, and whether it closed the connection. */
function rawClient(port: number) {
  const seen = { text: "", closed: false };
  const socket: Socket = connect({ host: "127.0.0.1", port });
  socket.setEncoding("latin1");
  socket.on("data", (d: string) => {
    seen.text += d;
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    seen.closed = true;
  });
  return { seen, socket };
}

for (const adapter of ["bun", "node"] as const) {
  describe(`listen() over ${adapter} sockets`, () => {
    const start = async (handler: RequestHandler, clock?: () => number) => {
      server = await listen(handler, {
        host: "127.0.0.1",
        port: 0,
        tcpListen: tcpListenAdapters[adapter],
        ...(clock === undefined ? {} : { clock }),
        maxBodyBytes: 1000,
      });
      return server.port;
    };

    test("answers requests one after another on a kept-alive connection, stamped on arrival", async () => {
      const seen: HttpRequest[] = [];
      let tick = 0;
      const port = await start(
        (req, res) => {
          seen.push(req);
          res.writeHead(200, { "content-type": "text/plain", "content-length": 2 }).end("ok");
        },
        () => ++tick,
      );
      const { seen: got, socket } = rawClient(port);
      socket.write("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
      await until(() => got.text.includes("ok"));
      socket.write("GET /b?x=1 HTTP/1.1\r\n\r\n");
      await until(() => seen.length === 2 && got.text.split("ok").length === 3);
      expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
        ["POST", "/a", "abc"],
        ["GET", "/b?x=1", ""],
      ]);
      expect(seen[0]!.receivedMs).toBeLessThan(seen[1]!.receivedMs);
      expect(got.text).toStartWith(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\nok",
      );
      expect(got.closed).toBe(false);
      socket.destroy();
    });

    test("streams without a Content-Length as chunks, each write one chunk, and ends with the last chunk", async () => {
      const port = await start((_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
        res.write("data: 1\n\n");
        setTimeout(() => res.end("data: é\n\n"), 5);
      });
      const { seen, socket } = rawClient(port);
      socket.write("POST /s HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
      await until(() => seen.text.endsWith("0\r\n\r\n"));
      const body = seen.text.slice(seen.text.indexOf("\r\n\r\n") + 4);
      expect(seen.text).toContain("transfer-encoding: chunked\r\n");
      expect(Buffer.from(body, "latin1").toString("utf8")).toBe(
        "9\r\ndata: 1\n\n\r\na\r\ndata: é\n\n\r\n0\r\n\r\n",
      );
      socket.destroy();
    });

    test("streams to an HTTP/1.0 client unchunked and ends the body by closing", async () => {
      const port = await start((_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
        res.write("data: 1\n\n");
        res.end("data: 2\n\n");
      });
      const { seen, socket } = rawClient(port);
      socket.write("POST /s HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
      await until(() => seen.closed);
      expect(seen.text).toBe(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: 1\n\ndata: 2\n\n",
      );
      socket.destroy();
    });

    test("answers pipelined requests in order, after each response has ended", async () => {
      const order: string[] = [];
      const port = await start((req, res) => {
        order.push(`start ${req.url}`);
        setTimeout(
          () => {
            order.push(`end ${req.url}`);
            res.end(req.url);
          },
          req.url === "/1" ? 20 : 1,
        );
      });
      const { seen, socket } = rawClient(port);
      socket.write("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n");
      await until(() => seen.text.endsWith("/2"));
      expect(order).toEqual(["start /1", "end /1", "start /2", "end /2"]);
      expect(seen.text.indexOf("/1")).toBeLessThan(seen.text.indexOf("/2"));
      socket.destroy();
    });

    test("closes after the response when the client or the handler says Connection: close", async () => {
      const port = await start((req, res) => {
        res.writeHead(200, req.url === "/server-closes" ? { connection: "close" } : {}).end("x");
      });
      for (const [url, request] of [
        ["/client-closes", "GET /client-closes HTTP/1.1\r\nConnection: close\r\n\r\n"],
        ["/server-closes", "GET /server-closes HTTP/1.1\r\n\r\n"],
      ] as const) {
        const { seen, socket } = rawClient(port);
        socket.write(request);
        await until(() => seen.closed);
        expect({ url, text: seen.text }).toEqual({
          url,
          text: "HTTP/1.1 200 OK\r\ncontent-length: 1\r\nconnection: close\r\n\r\nx",
        });
      }
    });

    test("a HEAD gets the head only", async () => {
      const port = await start((_req, res) => {
        res.writeHead(200, { "content-length": 5 }).end("hello");
      });
      const { seen, socket } = rawClient(port);
      socket.write("HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
      await until(() => seen.text.endsWith("hello"));
      expect(seen.text.split("HTTP/1.1 200").length).toBe(3);
      expect(seen.text.match(/hello/g)?.length).toBe(1);
      socket.destroy();
    });

    test("destroy() drops the connection with nothing sent, and the response's close listeners run", async () => {
      let closes = 0;
      let response: HttpResponse | undefined;
      const port = await start((_req, res) => {
        response = res;
        res.on("close", () => closes++);
        res.destroy();
      });
      const { seen, socket } = rawClient(port);
      socket.write("GET / HTTP/1.1\r\n\r\n");
      await until(() => seen.closed && closes === 1);
      expect(seen.text).toBe("");
      expect(response?.destroyed).toBe(true);
    });

    test("a client that goes away mid-response marks it destroyed and runs its close listeners once", async () => {
      let closes = 0;
      let response: HttpResponse | undefined;
      const port = await start((_req, res) => {
        response = res;
        res.on("close", () => closes++);
        res.writeHead(200, {});
        res.write("first");
      });
      const { seen, socket } = rawClient(port);
      socket.write("GET / HTTP/1.1\r\n\r\n");
      await until(() => seen.text.includes("first"));
      socket.destroy();
      await until(() => closes === 1);
      expect(response?.destroyed).toBe(true);
      response?.write("ignored");
      response?.end("ignored");
      await new Promise((r) => setTimeout(r, 20));
      expect(closes).toBe(1);
    });

    test("a response that ends runs its close listeners once, after the handler returns", async () => {
      const events: string[] = [];
      const port = await start((_req, res) => {
        res.on("close", () => events.push("close"));
        res.end("x");
        events.push("returned");
      });
      const { seen, socket } = rawClient(port);
      socket.write("GET / HTTP/1.1\r\n\r\n");
      await until(() => events.length === 2);
      expect(events).toEqual(["returned", "close"]);
      expect(seen.closed).toBe(false);
      socket.destroy();
    });

    test("a malformed request gets its status and a closed connection; a body over the limit gets body null", async () => {
      const bodies: (string | null)[] = [];
      const port = await start((req, res) => {
        bodies.push(req.body);
        res.writeHead(400, {}).end("too large");
      });
      const bad = rawClient(port);
      bad.socket.write("NOT HTTP\r\n\r\n");
      await until(() => bad.seen.closed);
      expect(bad.seen.text).toStartWith("HTTP/1.1 400 Bad Request\r\n");
      const large = rawClient(port);
      large.socket.write("POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
      await until(() => large.seen.closed);
      expect(bodies).toEqual([null]);
      expect(large.seen.text).toContain("connection: close\r\n");
    });

    test("tells a client that expects it to continue, then reads the body", async () => {
      const bodies: (string | null)[] = [];
      const port = await start((req, res) => {
        bodies.push(req.body);
        res.end("done");
      });
      const { seen, socket } = rawClient(port);
      socket.write("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
      await until(() => seen.text.includes("100 Continue"));
      socket.write("body");
      await until(() => seen.text.endsWith("done"));
      expect(bodies).toEqual(["body"]);
      expect(seen.text).toStartWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n");
      socket.destroy();
    });

    test("close() drops open connections and stops accepting", async () => {
      const port = await start((_req, res) => {
        res.writeHead(200, {});
        res.write("held");
      });
      const { seen, socket } = rawClient(port);
      socket.write("GET / HTTP/1.1\r\n\r\n");
      await until(() => seen.text.includes("held"));
      await server?.close();
      server = undefined;
      await until(() => seen.closed);
      const late = rawClient(port);
      await until(() => late.seen.closed);
      expect(late.seen.text).toBe("");
    });

    test("refuses a port in use with EADDRINUSE", async () => {
      const port = await start((_req, res) => res.end());
      const second = listen((_req, res) => res.end(), {
        host: "127.0.0.1",
        port,
        tcpListen: tcpListenAdapters[adapter],
      });
      await expect(second).rejects.toMatchObject({ code: "EADDRINUSE" });
    });
  });
}
