import { describe, expect, test } from "bun:test";
import { gcsEndpoint } from "./gcs.ts";

describe("gcsEndpoint()", () => {
  test.each([
    [{}, { url: "https://storage.googleapis.com", anonymous: false }],
    // Google's libraries send an emulator no credentials; a bare host:port is plain HTTP.
    [{ STORAGE_EMULATOR_HOST: "127.0.0.1:9023" }, { url: "http://127.0.0.1:9023", anonymous: true }],
    [
      { STORAGE_EMULATOR_HOST: "https://gcs.local:4443/" },
      { url: "https://gcs.local:4443", anonymous: true },
    ],
    // Another endpoint that still takes the token (a proxy); the emulator wins when both are set.
    [{ INFERLOAD_GCS_URL: "http://127.0.0.1:8080/" }, { url: "http://127.0.0.1:8080", anonymous: false }],
    [
      { INFERLOAD_GCS_URL: "http://127.0.0.1:8080", STORAGE_EMULATOR_HOST: "127.0.0.1:9023" },
      { url: "http://127.0.0.1:9023", anonymous: true },
    ],
  ])("%j → %j", (env, expected) => {
    expect(gcsEndpoint(env)).toEqual(expected);
  });
});
