// The request line and headers of an HTTP/1.1 request, minus Content-Length. They repeat from request
// to request (a stage builds the same headers each time), so the last block is kept, flat, and rebuilt
// only when they change. Compared by value, so a caller may reuse or build afresh its headers object.
import { Buffer } from "node:buffer";
import type { HttpRequest } from "./transport.ts";

export class RequestHead {
  readonly #prefix: string;
  readonly #host: string;
  #method = "";
  #path = "";
  #names: string[] = [];
  #values: string[] = [];
  #block = "";
  #blockBytes = 0;

  /** `prefix`: the base URL's path, prepended to each request path; `host`: the Host header value. */
  constructor(prefix: string, host: string) {
    this.#prefix = prefix;
    this.#host = host;
  }

  block(request: HttpRequest): string {
    const { headers } = request;
    if (request.method === this.#method && request.path === this.#path && this.#same(headers))
      return this.#block;
    let lines = "";
    // A Host header of the caller's (api.headers.Host, e.g. for a virtual host behind an IP) replaces
    // the one from the URL: a request must carry exactly one.
    let ownHost = false;
    this.#names = [];
    this.#values = [];
    for (const name in headers) {
      const value = headers[name] as string;
      lines += `${name}: ${value}\r\n`;
      if (name.length === 4 && name.toLowerCase() === "host") ownHost = true;
      this.#names.push(name);
      this.#values.push(value);
    }
    const hostLine = ownHost ? "" : `Host: ${this.#host}\r\n`;
    const block = `${request.method} ${this.#prefix}${request.path} HTTP/1.1\r\n${hostLine}Accept-Encoding: identity\r\n${lines}`;
    this.#method = request.method;
    this.#path = request.path;
    this.#block = block;
    this.#blockBytes = Buffer.byteLength(block);
    return block;
  }

  /** The UTF-8 length of the block block() last returned (header values may be non-ASCII). */
  get bytes(): number {
    return this.#blockBytes;
  }

  /** Same names and values, in the same order (the order they are written in), as the kept block. */
  #same(headers: Readonly<Record<string, string>>): boolean {
    let i = 0;
    for (const name in headers) {
      if (this.#names[i] !== name || this.#values[i] !== headers[name]) return false;
      i++;
    }
    return i === this.#names.length;
  }
}
