// A generator's prompts as bytes: for generators whose every request is one user text (the completion
// prompt and the single chat message alike, sizedPrompt's shape), a way to write request `index`'s
// prompt straight into a request body's bytes, already JSON-escaped, with no prompt string and no body
// string made. A builder (lib/worker/request-maker.ts) assembles the body around it from pre-encoded
// parts (lib/api/body-frame.ts). Pure.
//
// Registered beside the generator, not as one of its fields: a wrapper that spreads a generator into
// a new one with another `next` (create.ts drops maxTokens that way; server-exact.ts rewrites prompts)
// must not inherit a byte path that no longer matches its `next`, and a WeakMap keyed by the object
// cannot be spread.
import type { DataGenerator } from "./types.ts";

/** Where bytes are appended: `bytes` from `at` on; `room(n)` first makes sure n more fit. */
export interface ByteSink {
  /** The buffer; a `room` call may replace it with a larger one (the bytes before `at` kept). */
  bytes: Uint8Array;
  at: number;
  room(n: number): void;
}

/** What a prompt writer tells about the prompt it wrote. */
export interface PromptFacts {
  /** The prompt's token count under the client tokenizer, known by construction. */
  promptTokens: number;
  /** max_tokens as `next(index).maxTokens` has it (undefined: the request builder's default). */
  maxTokens: number | undefined;
}

export interface PromptBytes {
  /**
   * Appends request `index`'s prompt to `sink` as the inside of a JSON string (UTF-8, escaped, no
   * quotes): byte for byte what JSON.stringify makes of `next(index).prompt`, encoded. Every byte
   * it writes is printable ASCII, so a body made with it is ASCII too. Null: this request has no
   * byte form (nothing is kept of what was written); the caller makes it from `next(index)`.
   */
  write(index: number, sink: ByteSink): PromptFacts | null;
}

const registry = new WeakMap<DataGenerator, PromptBytes>();

/** `generator`, with `bytes` as its byte path (returned for chaining). */
export function withPromptBytes(generator: DataGenerator, bytes: PromptBytes): DataGenerator {
  registry.set(generator, bytes);
  return generator;
}

/** The byte path of `generator` itself (not of one wrapping or copied from it), or null. */
export function promptBytesOf(generator: DataGenerator): PromptBytes | null {
  return registry.get(generator) ?? null;
}

/** Whether text made of these UTF-8 bytes is printable ASCII with nothing JSON.stringify escapes. */
export function jsonSafeAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b >= 0x7f || b === 0x22 || b === 0x5c) return false;
  }
  return true;
}

/** Appends bytes[from … to) to `sink`. */
export function putBytes(sink: ByteSink, bytes: Uint8Array, from: number, to: number): void {
  const n = to - from;
  if (sink.at + n > sink.bytes.length) sink.room(n);
  const out = sink.bytes;
  let at = sink.at;
  // Token-sized pieces (a few bytes) copy faster by hand than through subarray + set.
  if (n < 32) for (let i = from; i < to; i++) out[at++] = bytes[i] as number;
  else {
    out.set(bytes.subarray(from, to), at);
    at += n;
  }
  sink.at = at;
}

/** A sink over a buffer of its own that doubles as needed (a scratch area; reset `at` to reuse it). */
export function growableSink(initialBytes = 64 * 1024): ByteSink {
  return {
    bytes: new Uint8Array(initialBytes),
    at: 0,
    room(n) {
      if (this.at + n <= this.bytes.length) return;
      const next = new Uint8Array(Math.max(this.at + n, this.bytes.length * 2));
      next.set(this.bytes.subarray(0, this.at));
      this.bytes = next;
    },
  };
}
