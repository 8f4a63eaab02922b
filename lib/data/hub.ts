// The Hugging Face hub's address and the types its clients share. Where files are cached and how they
// are downloaded (the layout huggingface_hub uses) is hub-cache.ts.

export type Env = Record<string, string | undefined>;
export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** The hub's base URL; `HF_ENDPOINT` overrides it as in huggingface_hub (mirrors, tests). */
export function hubEndpoint(env: Env): string {
  return (env.HF_ENDPOINT && env.HF_ENDPOINT.length > 0 ? env.HF_ENDPOINT : "https://huggingface.co").replace(
    /\/+$/,
    "",
  );
}

export interface HubFile {
  /** Repo id, e.g. "meta-llama/Llama-3.1-8B-Instruct". */
  repo: string;
  /** "model" or "dataset": datasets live under /datasets/ on the hub. */
  repoType: "model" | "dataset";
  /** Path inside the repo, e.g. "tokenizer.json" or "data/train-00000-of-00014.parquet". */
  file: string;
}
