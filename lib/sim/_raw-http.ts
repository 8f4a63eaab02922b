// Test helper: one HTTP/1.1 request over a raw node:net socket, to see what fetch hides: whether the
// chunked body ended with its terminal chunk, and whether the server closed the connection.
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body with chunked framing removed. */
  body: string;
  /** The terminal zero-length chunk (or the full Content-Length) arrived. */
  complete: boolean;
  /** The server closed the socket (within graceMs after completing, or mid-response). */
  closedByServer: boolean;
}

function dechunk(raw: string): { body: string; complete: boolean } {
  let body = "";
  let i = 0;
  while (i < raw.length) {
    const eol = raw.indexOf("\r\n", i);
    if (eol < 0) break;
    const size = Number.parseInt(raw.slice(i, eol), 16);
    if (Number.isNaN(size)) break;
    if (size === 0) return { body, complete: raw.indexOf("\r\n", eol + 2) >= 0 };
    if (eol + 2 + size > raw.length) {
      body += raw.slice(eol + 2);
      break;
    }
    body += raw.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
  return { body, complete: false };
}

/** POST `body` (or GET when undefined) and collect until the server closes, or graceMs after the body completes. */
export function rawRequest(
  url: string,
  path: string,
  body: string | undefined,
  options: { graceMs?: number; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const graceMs = options.graceMs ?? 300;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let raw = "";
    let settled = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const parse = (closed: boolean): RawResponse => {
      const split = raw.indexOf("\r\n\r\n");
      if (split < 0) return { status: 0, headers: {}, body: "", complete: false, closedByServer: closed };
      const [statusLine = "", ...lines] = raw.slice(0, split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = raw.slice(split + 4);
      const length = headers["content-length"];
      const decoded =
        headers["transfer-encoding"] === "chunked"
          ? dechunk(rest)
          : { body: rest, complete: length !== undefined && Buffer.byteLength(rest) >= Number(length) };
      return { status: Number(statusLine.split(" ")[1]), headers, ...decoded, closedByServer: closed };
    };
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      clearTimeout(timeout);
      socket.destroy();
      resolve(parse(closed));
    };
    const timeout = setTimeout(() => finish(false), options.timeoutMs ?? 10_000);
    socket.setEncoding("utf8");
    socket.on("data", (data: string) => {
      raw += data;
      if (graceTimer === undefined && parse(false).complete)
        graceTimer = setTimeout(() => finish(false), graceMs);
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    const head =
      body === undefined
        ? `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`
        : `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.write(body === undefined ? head : head + body);
  });
}
