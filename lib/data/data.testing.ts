// Test helpers for lib/data: a resolved config from a `data` section, and the fixture tokenizer.
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UserError } from "../cli/errors.ts";
import { configFromObject } from "../config/load.ts";
import type { DataGenConfig } from "./create.ts";
import { createJsonTokenizer } from "./tokenizer/json.ts";
import type { Tokenizer } from "./types.ts";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/data/", import.meta.url));

/** A fully resolved config around `data` (one small stage, the given base_seed and API type). */
export function dataConfig(
  data: Record<string, unknown>,
  opts: { seed?: number; api?: string } = {},
): DataGenConfig {
  const raw = {
    api: { type: opts.api ?? "completion" },
    data,
    load: { base_seed: opts.seed ?? 1234, stages: [{ rate: 1, duration: 1 }] },
  };
  return configFromObject(raw, { cpuCount: 2, now: new Date(0) }).config;
}

let fixture: Tokenizer | undefined;

/** The small byte-level BPE tokenizer.json shipped in fixtures/data (656 tokens + <|endoftext|>). */
export function fixtureTokenizer(): Tokenizer {
  fixture ??= createJsonTokenizer(
    JSON.parse(readFileSync(`${FIXTURES}tokenizer.json`, "utf8")),
    {},
    "fixtures/data/tokenizer.json",
  );
  return fixture;
}

const pieces = new Map<string, Tokenizer>();

/**
 * SentencePiece-style variants of the fixture ("▁word" tokens; scripts/gen-metaspace-fixtures.ts):
 * "metaspace", a Metaspace pre-tokenizer (Mistral); "llama2", a normaliser that prepends "▁" and a
 * decoder that strips the first space (the original Llama 2).
 */
export function pieceFixtureTokenizer(variant: "metaspace" | "llama2"): Tokenizer {
  let tokenizer = pieces.get(variant);
  if (tokenizer === undefined) {
    tokenizer = createJsonTokenizer(
      JSON.parse(readFileSync(`${FIXTURES}${variant}/tokenizer.json`, "utf8")),
      {},
      `fixtures/data/${variant}`,
    );
    pieces.set(variant, tokenizer);
  }
  return tokenizer;
}

/**
 * The fixture tokenizer with ChatML's special tokens and `tokenizer_config.json` (fixtures/data/chat):
 * its ChatML template by default, or `config` instead (another template, other special tokens).
 */
export function chatFixtureTokenizer(config?: Record<string, unknown>): Tokenizer {
  const dir = `${FIXTURES}chat/`;
  return createJsonTokenizer(
    JSON.parse(readFileSync(`${dir}tokenizer.json`, "utf8")),
    config ?? JSON.parse(readFileSync(`${dir}tokenizer_config.json`, "utf8")),
    "fixtures/data/chat",
  );
}

/** The UserError a promise rejects with (the test fails if it resolves or rejects with anything else). */
export async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

/** `tokenizer` with its encode, count and decode calls counted (a fresh object: no cached pools). */
export function countingTokenizer(tokenizer: Tokenizer): { tokenizer: Tokenizer; calls: () => number } {
  let calls = 0;
  const counted =
    <A, R>(call: (a: A) => R) =>
    (a: A) => {
      calls++;
      return call(a);
    };
  return {
    tokenizer: {
      ...tokenizer,
      encode: counted((text: string) => tokenizer.encode(text)),
      count: counted((text: string) => tokenizer.count(text)),
      decode: counted((ids: readonly number[]) => tokenizer.decode(ids)),
    },
    calls: () => calls,
  };
}
