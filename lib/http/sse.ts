// Incremental Server-Sent Events parser: bytes in, one callback per dispatched event, for any way the
// stream is cut into reads. Pure and synchronous; it allocates one decoded string per read plus one
// substring per data value (lines are walked as index ranges), and joins only when a chunk boundary
// splits a line.
//
// Follows the WHATWG "event stream interpretation" rules:
//  - lines end in "\n", "\r\n" or a lone "\r" (a "\r" ending one read may pair with a "\n" starting
//    the next, so we remember it rather than guess);
//  - a line starting with ":" is a comment; "field:value" drops one leading space from the value; a
//    line with no colon is a field with an empty value;
//  - "data" lines accumulate, joined by "\n"; a blank line dispatches the event if any data arrived;
//  - an event left unterminated at the end of the stream is discarded;
//  - UTF-8 is decoded in streaming mode, so a character split across reads decodes whole; a leading
//    byte-order mark is dropped.
// "[DONE]" is not special here: it is ordinary event data, interpreted by lib/api/response.ts.

export type SseEventHandler = (data: string, event: string) => void;

export interface SseParser {
  /** Feed the next read. Dispatches zero or more events synchronously, in order. */
  push(chunk: Uint8Array): void;
  /** Feed already-decoded text (tests, and callers that decode themselves). */
  pushText(text: string): void;
  /** End of stream: flushes the decoder; a trailing event without its blank line is dropped. */
  end(): void;
}

const LF = 10;
const CR = 13;
const streaming = { stream: true } as const; // one options object, not one per read

export function createSseParser(onEvent: SseEventHandler): SseParser {
  // Streaming mode is needed only when a read may end inside a multi-byte character. A read whose
  // last byte is ASCII cannot, so it is decoded without {stream: true} (about half the cost in Bun);
  // such a call still completes a character left pending by the previous read (WHATWG decode()
  // continues the stream, then flushes nothing). The decoder keeps byte-order marks: a call without
  // {stream} would otherwise drop one at the start of every read; we drop it once, at stream start.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let started = false; // some text has been decoded (a BOM after that is data)
  let partial = ""; // an incomplete line carried over from the previous read
  let skipLeadingLf = false; // the previous read ended in "\r": a "\n" starting this one is its pair
  let data = "";
  let hasData = false;
  let eventName = "";

  // One line: text[start, end). Taking the range rather than a sliced line saves one string per
  // event: a "data:" line allocates only its value.
  function line(text: string, start: number, end: number): void {
    if (end === start) {
      if (hasData) onEvent(data, eventName === "" ? "message" : eventName);
      data = "";
      hasData = false;
      eventName = "";
      return;
    }
    // Fast path: "data:" is nearly every line of an LLM stream.
    if (text.startsWith("data:", start)) {
      const from = text.charCodeAt(start + 5) === 32 && start + 5 < end ? start + 6 : start + 5;
      field("data", text.slice(from, end));
      return;
    }
    if (text.charCodeAt(start) === 58) return; // ":" comment (keep-alive pings)
    const colon = text.indexOf(":", start);
    if (colon === -1 || colon >= end) field(text.slice(start, end), "");
    else
      field(
        text.slice(start, colon),
        text.slice(text.charCodeAt(colon + 1) === 32 && colon + 1 < end ? colon + 2 : colon + 1, end),
      );
  }

  function field(name: string, value: string): void {
    if (name === "data") {
      data = hasData ? `${data}\n${value}` : value;
      hasData = true;
    } else if (name === "event") eventName = value;
    // "id" and "retry" only matter for reconnection, which a benchmark never does.
  }

  function pushText(text: string): void {
    let start = 0;
    if (skipLeadingLf) {
      if (text.length === 0) return;
      skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    const hasCr = text.indexOf("\r", start) !== -1;
    for (;;) {
      let end: number;
      let next: number;
      if (!hasCr) {
        end = text.indexOf("\n", start);
        if (end === -1) break;
        next = end + 1;
      } else {
        end = -1;
        for (let i = start; i < text.length; i++) {
          const code = text.charCodeAt(i);
          if (code === LF || code === CR) {
            end = i;
            break;
          }
        }
        if (end === -1) break;
        next = end + 1;
        if (text.charCodeAt(end) === CR) {
          if (next === text.length) skipLeadingLf = true;
          else if (text.charCodeAt(next) === LF) next++;
        }
      }
      if (partial.length > 0) {
        const joined = partial + text.slice(start, end);
        partial = "";
        line(joined, 0, joined.length);
      } else line(text, start, end);
      start = next;
    }
    if (start < text.length) partial = partial.length > 0 ? partial + text.slice(start) : text.slice(start);
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return;
      let text =
        (chunk[chunk.length - 1] as number) < 0x80 ? decoder.decode(chunk) : decoder.decode(chunk, streaming);
      if (!started) {
        if (text.length === 0) return;
        started = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      pushText(text);
    },
    pushText,
    end() {
      let rest = decoder.decode();
      if (!started && rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
      if (rest.length > 0) pushText(rest);
      partial = "";
      data = "";
      hasData = false;
      eventName = "";
    },
  };
}

/** Whole-body convenience for tests and the non-hot path: every event's data, in order. */
export function parseSse(body: Uint8Array | string): string[] {
  const events: string[] = [];
  const parser = createSseParser((data) => events.push(data));
  if (typeof body === "string") parser.pushText(body);
  else parser.push(body);
  parser.end();
  return events;
}
