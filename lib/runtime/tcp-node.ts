// TcpConnect over node:net / node:tls: runs under Bun, Deno and Node.
import type { Socket } from "node:net";
import type { TcpConnection, TcpEvents, TcpOptions } from "./tcp.ts";

export function nodeConnect(options: TcpOptions, events: TcpEvents): TcpConnection {
  const { host, port, tls } = options;
  // Taken on first use: under Bun this adapter is for tests only, and the compiled binary loads every
  // statically imported node: module at each thread's start (docs/PERFORMANCE.md "Start-up").
  const socket: Socket =
    tls === null
      ? process.getBuiltinModule("node:net").connect({ host, port })
      : process.getBuiltinModule("node:tls").connect({
          host,
          port,
          servername: tls.servername,
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key }),
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          rejectUnauthorized: tls.rejectUnauthorized,
        });
  socket.setNoDelay(true);
  socket.once(tls === null ? "connect" : "secureConnect", () => events.onOpen());
  let error: Error | null = null;
  socket.on("data", (chunk: Uint8Array) => {
    // As with Bun.connect: a throwing handler ends the connection, with its error as the reason.
    try {
      events.onData(chunk);
    } catch (e) {
      socket.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  });
  // "error" is always followed by "close", which reports it.
  socket.on("error", (e: Error) => {
    error = e;
  });
  socket.on("close", () => events.onClose(error));
  return {
    write: (data) => {
      socket.write(data);
    },
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.destroy();
    },
  };
}
