import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type HttpFramingError, type HttpRequest, RequestReader } from "./http-request-reader.ts";

const enc = new TextEncoder();
const limits = { maxHeadBytes: 1024, maxBodyBytes: 4096 };

function post(body: string, extra = ""): string {
  return `POST /v1/completions HTTP/1.1\r\nHost: a\r\nContent-Length: ${enc.encode(body).byteLength}\r\n${extra}\r\n${body}`;
}

function drain(reader: RequestReader): (HttpRequest | HttpFramingError)[] {
  const out: (HttpRequest | HttpFramingError)[] = [];
  for (let r = reader.next(); r !== null; r = reader.next()) {
    out.push(r);
    if ("error" in r) break;
  }
  return out;
}

describe("RequestReader", () => {
  test("reads a request with its head, UTF-8 body and the time of the read that brought its first byte", () => {
    const reader = new RequestReader(limits);
    const wire = enc.encode(post('{"prompt":"héllo"}'));
    reader.push(wire.subarray(0, 10), 100);
    expect(reader.next()).toBeNull();
    reader.push(wire.subarray(10, 60), 101);
    expect(reader.next()).toBeNull();
    reader.push(wire.subarray(60), 102);
    const request = reader.next() as HttpRequest;
    expect(request).toEqual({
      method: "POST",
      url: "/v1/completions",
      headers: { host: "a", "content-length": String(wire.byteLength - wire.indexOf(123)) },
      body: '{"prompt":"héllo"}',
      receivedMs: 100,
      keepAlive: true,
      http10: false,
    });
    expect(reader.next()).toBeNull();
  });

  test("frames the same requests however the bytes are cut (property)", () => {
    const bodies = ['{"a":1}', "", "x".repeat(3000), '{"é":"ü"}'];
    const wire = enc.encode(bodies.map((b) => post(b)).join(""));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.byteLength - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), wire.byteLength];
        const reader = new RequestReader(limits);
        const got: string[] = [];
        for (let i = 0; i + 1 < points.length; i++) {
          // Each push is a read callback's view, reused afterwards: the reader must copy.
          const view = wire.slice(points[i], points[i + 1]);
          reader.push(view, i);
          view.fill(0);
          for (const r of drain(reader)) got.push((r as HttpRequest).body as string);
        }
        expect(got).toEqual(bodies);
      }),
    );
  });

  test("a request read behind another is stamped with the read that brought it", () => {
    const reader = new RequestReader(limits);
    reader.push(enc.encode(post("a")), 5);
    reader.push(enc.encode(post("b")), 7);
    const [first, second] = drain(reader) as HttpRequest[];
    expect([first?.body, first?.receivedMs, second?.body, second?.receivedMs]).toEqual(["a", 5, "b", 7]);
  });

  test("decodes a chunked body, with extensions and trailers", () => {
    const reader = new RequestReader(limits);
    const wire =
      "POST /tokenize HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
      '5;x=1\r\n{"pro\r\n9\r\nmpt":"hi"\r\n1\r\n}\r\n0\r\nX-Trailer: 1\r\n\r\n';
    reader.push(enc.encode(wire.slice(0, 70)), 1);
    expect(reader.next()).toBeNull();
    reader.push(enc.encode(wire.slice(70)), 2);
    expect((reader.next() as HttpRequest).body).toBe('{"prompt":"hi"}');
  });

  test("keep-alive follows the version and the Connection header", () => {
    const cases: [string, boolean][] = [
      ["GET / HTTP/1.1\r\n\r\n", true],
      ["GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false],
      ["GET / HTTP/1.0\r\n\r\n", false],
      ["GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true],
    ];
    for (const [wire, keepAlive] of cases) {
      const reader = new RequestReader(limits);
      reader.push(enc.encode(wire), 0);
      expect({ wire, keepAlive: (reader.next() as HttpRequest).keepAlive }).toEqual({ wire, keepAlive });
    }
  });

  test("a body over the limit is reported as null at once, and nothing after it is read", () => {
    const reader = new RequestReader(limits);
    reader.push(enc.encode("POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\nxx"), 0);
    const request = reader.next() as HttpRequest;
    expect([request.body, request.keepAlive]).toEqual([null, false]);
    reader.push(enc.encode(post("a")), 1);
    expect(reader.next()).toBeNull();
  });

  test("malformed heads are framing errors with the status to answer", () => {
    const cases: [string, number][] = [
      ["GARBAGE\r\n\r\n", 400],
      ["GET / HTTP/2.0\r\n\r\n", 505],
      ["GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400],
      ["POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400],
      [`GET / HTTP/1.1\r\nX: ${"y".repeat(2000)}\r\n\r\n`, 431],
      [`GET / HTTP/1.1\r\nX: ${"y".repeat(2000)}`, 431],
    ];
    for (const [wire, status] of cases) {
      const reader = new RequestReader(limits);
      reader.push(enc.encode(wire), 0);
      expect({ wire: wire.slice(0, 40), status: (reader.next() as HttpFramingError).status }).toEqual({
        wire: wire.slice(0, 40),
        status,
      });
      expect(reader.next()).toBeNull();
    }
  });

  test("asks once to be told to continue when the client waits for it before its body", () => {
    const reader = new RequestReader(limits);
    reader.push(enc.encode("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"), 0);
    expect(reader.next()).toBeNull();
    expect(reader.takeContinue()).toBe(true);
    expect(reader.takeContinue()).toBe(false);
    reader.push(enc.encode("{}"), 1);
    expect((reader.next() as HttpRequest).body).toBe("{}");
  });
});
