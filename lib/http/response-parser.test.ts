import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cutBytes } from "./cut-bytes.testing.ts";
import { HttpParseError, ResponseParser, ResponseTooLargeError } from "./response-parser.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function parse(pieces: Uint8Array[], inPlace = false) {
  const events: string[] = [];
  let body = "";
  let status = 0;
  let keepAlive = true;
  const p = new ResponseParser(
    {
      headers: (s, k) => {
        status = s;
        keepAlive = k;
        events.push("headers");
      },
      body: (c) => {
        body += dec.decode(c, { stream: true });
      },
      end: () => events.push("end"),
    },
    { inPlace },
  );
  // In place, the parser may rewrite what it is fed: give it copies, as a socket gives fresh buffers.
  for (const piece of pieces) p.feed(inPlace ? piece.slice() : piece);
  return { p, events, body, status, keepAlive };
}

const cases = [
  // name, raw response, body, status, keep-alive
  ["content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "hello", 200, true],
  [
    "chunked with extension and trailer",
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\ndata:\r\nA\r\n {"a":1}\n\n\r\n0\r\nX-T: 1\r\n\r\n',
    'data: {"a":1}\n\n',
    200,
    true,
  ],
  [
    "connection close",
    "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno",
    "no",
    503,
    false,
  ],
  [
    "100 continue first",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx",
    "x",
    201,
    true,
  ],
  ["204 without body", "HTTP/1.1 204 No Content\r\n\r\n", "", 204, true],
  [
    "HTTP/1.0 keep-alive",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
    "ok",
    200,
    true,
  ],
  ["multi-byte UTF-8 body", "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhé→", "hé→", 200, true],
] as const;

describe("ResponseParser", () => {
  test.each(cases)(
    "parses %s under every chunking, copying or in place",
    (_name, raw, body, status, keepAlive) => {
      const bytes = enc.encode(raw);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (cuts, inPlace) => {
          const r = parse(cutBytes(bytes, cuts), inPlace);
          expect(r.events).toEqual(["headers", "end"]);
          expect(r.body).toBe(body);
          expect(r.status).toBe(status);
          expect(r.keepAlive).toBe(keepAlive);
          expect(r.p.done).toBe(true);
        }),
        { numRuns: 200 },
      );
    },
  );

  test("reads a body without length until the connection closes", () => {
    const r = parse([enc.encode("HTTP/1.1 200 OK\r\n\r\npart one, "), enc.encode("part two")]);
    expect(r.events).toEqual(["headers"]);
    expect(r.p.endOfConnection()).toBe(true);
    expect(r.body).toBe("part one, part two");
    expect(r.keepAlive).toBe(false);
  });

  test("reports a cut body as incomplete on close", () => {
    const r = parse([enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")]);
    expect(r.p.endOfConnection()).toBe(false);
  });

  test("flags bytes after the end of the response", () => {
    const r = parse([enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxGARBAGE")]);
    expect(r.p.extraBytes).toBe(true);
  });

  test("throws HttpParseError on a bad status line or chunk size", () => {
    expect(() => parse([enc.encode("SSH-2.0-OpenSSH\r\n\r\n")])).toThrow(HttpParseError);
    expect(() => parse([enc.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")])).toThrow(
      HttpParseError,
    );
  });

  test("fails at the first byte that cannot start a status line, with the bytes escaped in the message", () => {
    const p = new ResponseParser({ headers: () => {}, body: () => {}, end: () => {} });
    p.feed(enc.encode("HTT"));
    expect(() => p.feed(Uint8Array.of(0x1b, 0x5b, 0x32, 0x4a))).toThrow('Bad status line "HTT\\x1b[2J"');
  });

  test("hands each read's body bytes over in one call, across chunk frames", () => {
    const frames = Array.from({ length: 30 }, (_, i) => `data: ${"x".repeat(i * 20)}\n\n`);
    const raw = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${frames
      .map((f) => `${f.length.toString(16)}\r\n${f}\r\n`)
      .join("")}0\r\n\r\n`;
    const bytes = enc.encode(raw);
    const calls: string[][] = [];
    const p = new ResponseParser({
      headers: () => {},
      body: (c) => calls.at(-1)!.push(dec.decode(c)),
      end: () => {},
    });
    const mid = raw.indexOf("data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    for (const piece of [bytes.subarray(0, mid), bytes.subarray(mid)]) {
      calls.push([]);
      p.feed(piece);
    }
    expect(p.done).toBe(true);
    expect(calls.map((c) => c.length)).toEqual([1, 1]);
    expect(calls.flat().join("")).toBe(frames.join(""));
  });

  test.each([
    [
      "a Content-Length over the limit, before any body byte",
      "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n",
    ],
    [
      "a chunked body once it passes the limit",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n",
    ],
    ["a close-delimited body once it passes the limit", "HTTP/1.1 200 OK\r\n\r\nabcdefghijk"],
  ])("refuses %s with ResponseTooLargeError, after the status", (_name, raw) => {
    // Whole, and one byte per read.
    for (const pieces of [[enc.encode(raw)], Array.from(enc.encode(raw), (b) => Uint8Array.of(b))]) {
      let status = 0;
      let body = "";
      const p = new ResponseParser(
        { headers: (s) => (status = s), body: (c) => (body += dec.decode(c)), end: () => {} },
        { maxBodyBytes: 10 },
      );
      let thrown: unknown = null;
      try {
        for (const piece of pieces) p.feed(piece);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ResponseTooLargeError);
      expect((thrown as Error).message).toBe("Response body larger than 10 bytes");
      expect(status).toBe(200);
      expect("abcdefghij".startsWith(body)).toBe(true); // never more than the limit handed on
    }
  });

  test("accepts a body of exactly the limit, and counts each response on a connection afresh", () => {
    const raw = enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    const p = new ResponseParser({ headers: () => {}, body: () => {}, end: () => {} }, { maxBodyBytes: 10 });
    for (let i = 0; i < 3; i++) {
      p.feed(raw.slice());
      expect(p.done).toBe(true);
      p.reset();
    }
  });
});

describe("watchHeader", () => {
  const watched = (raw: string, name: string | null) => {
    let value: string | null | undefined;
    const p = new ResponseParser(
      { headers: (_s, _k, w) => (value = w), body: () => {}, end: () => {} },
      { watchHeader: name },
    );
    p.feed(enc.encode(raw));
    return value;
  };
  const raw = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Session-Token:  abc-123 \r\n\r\n";

  test("hands the named header's value to the sink, matched without regard to case", () => {
    expect(watched(raw, "x-session-token")).toBe("abc-123");
    expect(watched(raw, "X-SESSION-TOKEN")).toBe("abc-123");
  });

  test("gives null when the header is absent or none is watched", () => {
    expect(watched(raw, "x-other")).toBeNull();
    expect(watched(raw, null)).toBeNull();
  });
});
