import { expect, test } from "bun:test";
import { configFromObject } from "../config/load.ts";
import { startPool } from "./pool.ts";
import { discardPrespawned, prespawnedCount, prespawnWorkers, startedCount } from "./prespawn.ts";

const { config } = configFromObject(
  {
    data: { type: "mock" },
    load: { stages: [{ rate: 1, duration: 1 }] },
    server: { base_url: "http://127.0.0.1:1", model_name: "m" },
  },
  { cpuCount: 1, now: new Date(0) },
);

test("a pool adopts the load Worker and builder started before the config was read", async () => {
  prespawnWorkers(1);
  expect(prespawnedCount()).toEqual({ load: 1, build: 1 });
  const pool = await startPool({ config, model: "m", workers: 1, onRecords: () => {} });
  try {
    expect(prespawnedCount()).toEqual({ load: 0, build: 0 });
  } finally {
    pool.close();
  }
}, 30_000);

test("a pool of more Workers than were started early starts the rest itself", async () => {
  prespawnWorkers(1);
  const pool = await startPool({ config, model: "m", workers: 2, onRecords: () => {} });
  try {
    expect(pool.size).toBe(2);
    expect(prespawnedCount()).toEqual({ load: 0, build: 0 });
  } finally {
    pool.close();
  }
}, 30_000);

// Small conversations, so the Workers' start is about threads, not texts.
const { config: sessionConfig } = configFromObject(
  {
    data: {
      type: "conversation_replay",
      conversation_replay: {
        num_conversations: 4,
        shared_system_prompt_len: 8,
        turns_per_conversation: { type: "fixed", mean: 2 },
        input_tokens_per_turn: { type: "fixed", mean: 8 },
        output_tokens_per_turn: { type: "fixed", mean: 4 },
      },
    },
    load: { type: "concurrent", num_workers: 3, stages: [{ num_requests: 4, concurrency_level: 3 }] },
    server: { base_url: "http://127.0.0.1:1", model_name: "m" },
  },
  { cpuCount: 1, now: new Date(0) },
);

test("a session workload's pool starts no builder Workers and ends the one started early", async () => {
  prespawnWorkers(1);
  const before = startedCount();
  const pool = await startPool({ config: sessionConfig, model: "m", workers: 3, onRecords: () => {} });
  try {
    expect(pool.size).toBe(3);
    expect(prespawnedCount()).toEqual({ load: 0, build: 0 });
    expect(startedCount()).toEqual({ load: before.load + 2, build: before.build });
  } finally {
    pool.close();
  }
}, 30_000);

test("a pool of any other workload starts a builder per load Worker", async () => {
  const before = startedCount();
  const pool = await startPool({ config, model: "m", workers: 2, onRecords: () => {} });
  try {
    expect(startedCount()).toEqual({ load: before.load + 2, build: before.build + 2 });
  } finally {
    pool.close();
  }
}, 30_000);

test("discardPrespawned() ends the Workers no pool adopted", () => {
  prespawnWorkers(2);
  expect(prespawnedCount()).toEqual({ load: 2, build: 2 });
  discardPrespawned();
  expect(prespawnedCount()).toEqual({ load: 0, build: 0 });
});
