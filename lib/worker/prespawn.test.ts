import { expect, test } from "bun:test";
import { configFromObject } from "../config/load.ts";
import { startPool } from "./pool.ts";
import { discardPrespawned, prespawnedCount, prespawnWorkers } from "./prespawn.ts";

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

test("discardPrespawned() ends the Workers no pool adopted", () => {
  prespawnWorkers(2);
  expect(prespawnedCount()).toEqual({ load: 2, build: 2 });
  discardPrespawned();
  expect(prespawnedCount()).toEqual({ load: 0, build: 0 });
});
