// One request from its stage index to bytes ready for the wire, as a builder Worker makes it: data item
// (the generator) → body (lib/api/request.ts) → the client's prompt count (kept for when the server
// reports none) → hash for the sequence fingerprint. Pure given its generator and picker.
import { type RequestConfig, requestBody } from "../api/request.ts";
import { clientPromptTokens } from "../api/usage.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "../data/types.ts";
import { FNV_OFFSET, fnvString } from "./fnv.ts";
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

  function promptTokens(item: GeneratedRequest): number {
    if (item.clientPromptTokens !== undefined) return item.clientPromptTokens;
    let n = counted.get(item);
    if (n === undefined) {
      n = clientPromptTokens(item, apiType, tokenizer);
      counted.set(item, n);
    }
    return n;
  }

  return {
    makeInto(writer, index, adapter) {
      let body: string;
      let tokens: number;
      let media: GeneratedRequest["media"];
      try {
        const item = data.next(index);
        body = requestBody(config, item, adapter ?? model);
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
