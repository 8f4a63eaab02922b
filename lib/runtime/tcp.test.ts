import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { listenOnFreePort } from "../http/test-server.testing.ts";
import { type TcpConnection, type TcpEvents, tcpAdapters } from "./tcp.ts";

// An echo server that also records what each connection sent before it ended.
let server: Server;
let port = 0;
const sockets = new Set<Socket>();
const received: string[] = [];
beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("utf8");
      socket.write(d);
    });
    socket.on("end", () => {
      received.push(text);
      socket.end();
    });
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  port = await listenOnFreePort(server);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

function recorder() {
  const seen = { data: "", opens: 0, closes: 0, error: null as Error | null };
  const dec = new TextDecoder();
  let closed: () => void = () => {};
  const whenClosed = new Promise<void>((r) => {
    closed = r;
  });
  const events: TcpEvents = {
    onOpen: () => {
      expect(seen.data).toBe("");
      seen.opens++;
    },
    onData: (chunk) => {
      expect(seen.opens).toBe(1);
      expect(seen.closes).toBe(0);
      seen.data += dec.decode(chunk, { stream: true });
    },
    onClose: (error) => {
      seen.closes++;
      seen.error = error;
      closed();
    },
  };
  return { seen, events, whenClosed };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!check() && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
}

describe.each(Object.keys(tcpAdapters) as (keyof typeof tcpAdapters)[])("%s TcpConnect", (name) => {
  const connect = tcpAdapters[name];

  test("sends writes made before the connection is up, in order, and reports it open once, before the reply", async () => {
    const { seen, events } = recorder();
    const conn: TcpConnection = connect({ host: "127.0.0.1", port, tls: null }, events);
    conn.write("héllo ");
    conn.write(new TextEncoder().encode("world"));
    await until(() => seen.data.length >= 11);
    expect(seen.data).toBe("héllo world");
    expect(seen.opens).toBe(1);
    conn.destroy();
  });

  test("end() sends what is queued, then closes; onClose comes once, without an error", async () => {
    const { seen, events, whenClosed } = recorder();
    const before = received.length;
    const conn = connect({ host: "127.0.0.1", port, tls: null }, events);
    conn.write(`last words ${name}`);
    conn.end();
    await whenClosed;
    await until(() => received.length > before);
    expect(received).toContain(`last words ${name}`);
    expect(seen.closes).toBe(1);
    expect(seen.error).toBeNull();
  });

  test("destroy() reports the close once and never synchronously", async () => {
    const { seen, events, whenClosed } = recorder();
    const conn = connect({ host: "127.0.0.1", port, tls: null }, events);
    conn.write("x");
    await until(() => seen.data === "x");
    conn.destroy();
    expect(seen.closes).toBe(0);
    await whenClosed;
    conn.destroy();
    conn.write("ignored");
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.closes).toBe(1);
  });

  test("reports a refused connection as a close with its error, never as open", async () => {
    const probe = createServer();
    const free = await listenOnFreePort(probe);
    await new Promise((r) => probe.close(r));
    const { seen, events, whenClosed } = recorder();
    connect({ host: "127.0.0.1", port: free, tls: null }, events).write("nobody there");
    await whenClosed;
    expect(seen.closes).toBe(1);
    expect(seen.error).toBeInstanceOf(Error);
    expect(seen.data).toBe("");
    expect(seen.opens).toBe(0);
  });

  test("destroy() while still connecting sends nothing and closes once", async () => {
    const before = received.length;
    const { seen, events, whenClosed } = recorder();
    const conn = connect({ host: "127.0.0.1", port, tls: null }, events);
    conn.write("never sent");
    conn.destroy();
    await whenClosed;
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.closes).toBe(1);
    expect(seen.data).toBe("");
    expect(received.slice(before)).not.toContain("never sent");
  });

  test("closes the connection, with the error, when the data handler throws", async () => {
    let closedWith: Error | null = null;
    let closes = 0;
    const done = new Promise<void>((resolve) => {
      const conn = connect(
        { host: "127.0.0.1", port, tls: null },
        {
          onOpen: () => {},
          onData: () => {
            throw new Error("reader bug");
          },
          onClose: (error) => {
            closes++;
            closedWith = error;
            resolve();
          },
        },
      );
      conn.write("boom");
    });
    await done;
    await new Promise((r) => setTimeout(r, 10));
    expect(closes).toBe(1);
    expect(String(closedWith)).toContain("reader bug");
  });
});
