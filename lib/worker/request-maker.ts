// One request from its stage index to bytes ready for the wire, as a builder Worker makes it: data item
// (the generator) → body (lib/api/request.ts) → the client's prompt count (kept for when the server
// reports none) → hash for the sequence fingerprint. Pure given its generator and picker.
//
// Where the generator can write its prompts as bytes (lib/data/prompt-bytes.ts: random, exact by
// construction), the body is assembled in the batch's buffer instead: the frame's bytes before the
// prompt, the prompt's bytes, the frame's bytes after it (lib/api/body-frame.ts). The same bytes and
// hash, with no prompt string, no body string and no UTF-8 pass: for 512-token prompts those strings
// and the memory they make and free were most of a builder's work (docs/PERFORMANCE.md "Data generators").
import { type BodyFrame, promptBodyFrame } from "../api/body-frame.ts";
import { type RequestConfig, requestBody } from "../api/request.ts";
import { clientPromptTokens } from "../api/usage.ts";
import { promptBytesOf } from "../data/prompt-bytes.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "../data/types.ts";
import { FNV_OFFSET, fnvAscii, fnvString } from "./fnv.ts";
import type { ReadyBatchWriter } from "./ready-batch.ts";

export interface RequestMakerDeps {
  config: RequestConfig;
  /** server.model_name, or what the server listed: the `model` unless an adapter is picked. */
  model: string;
  data: DataGenerator;
  tokenizer: Tokenizer;
}

export interface RequestMaker {
  /** Builds request `index` for `adapter` (null: the base model) into `writer`; never throws. */
  makeInto(writer: ReadyBatchWriter, index: number, adapter: string | null): void;
}

export function createRequestMaker(deps: RequestMakerDeps): RequestMaker {
  const { config, model, data, tokenizer } = deps;
  const apiType = config.api.type;
  // Generators that cycle a fixed set of items (shared_prefix, shareGPT) count each item once.
  const counted = new WeakMap<GeneratedRequest, number>();
  const prompts = promptBytesOf(data);
  // One frame per model name (the base model and each LoRA adapter), made when first needed.
  const frames = new Map<string, BodyFrame | null>();

  function promptTokens(item: GeneratedRequest): number {
    if (item.clientPromptTokens !== undefined) return item.clientPromptTokens;
    let n = counted.get(item);
    if (n === undefined) {
      n = clientPromptTokens(item, apiType, tokenizer);
      counted.set(item, n);
    }
    return n;
  }

  function frameOf(name: string): BodyFrame | null {
    let frame = frames.get(name);
    if (frame === undefined) frames.set(name, (frame = promptBodyFrame(config, name)));
    return frame;
  }

  return {
    makeInto(writer, index, adapter) {
      const name = adapter ?? model;
      let body: string;
      let tokens: number;
      let media: GeneratedRequest["media"];
      try {
        const frame = prompts === null ? null : frameOf(name);
        if (prompts !== null && frame !== null) {
          // Written in place; nothing is kept without finish() (a throw, a request with no byte form).
          const sink = writer.begin();
          const start = sink.at;
          frame.open(sink);
          const facts = prompts.write(index, sink);
          if (facts !== null) {
            frame.close(sink, facts.maxTokens);
            writer.finish(facts.promptTokens, fnvAscii(FNV_OFFSET, sink.bytes, start, sink.at), adapter);
            return;
          }
        }
        const item = data.next(index);
        body = requestBody(config, item, name);
        tokens = promptTokens(item);
        media = item.media;
      } catch (error) {
        // A generator or builder bug must not stop the run: it is a failed request like any other.
        writer.add("", 0, 0, adapter, String(error));
        return;
      }
      writer.add(body, tokens, fnvString(FNV_OFFSET, body), adapter, null, media ?? null);
    },
  };
}
