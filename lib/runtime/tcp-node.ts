// TcpConnect over node:net / node:tls: runs under Bun, Deno and Node.
import type { Socket } from "node:net";
import type { TcpConnection, TcpEvents, TcpOptions } from "./tcp.ts";

/** The TcpConnection face of a node:net socket (also the listening side's, tcp-listen-node.ts). */
export function nodeSocketWrites(socket: Socket): TcpConnection {
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

/** Reports a node:net socket's reads and its one close (with the error that caused it) to `events`. */
export function reportNodeSocket(socket: Socket, events: Pick<TcpEvents, "onData" | "onClose">): void {
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
}

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
  reportNodeSocket(socket, events);
  return nodeSocketWrites(socket);
}
