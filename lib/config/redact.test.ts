// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject here
import { describe, expect, test } from "bun:test";
import { parseYAML } from "confbox";
import { build, oneStage, problemsOf } from "./facts.testing.ts";
import { fingerprintConfig } from "./fingerprint.ts";
import { printConfig } from "./print.ts";
import { isSecretName, REDACTED, redact } from "./redact.ts";

describe("isSecretName()", () => {
  test.each([
    "api_key",
    "token",
    "Authorization",
    "x-api-key",
    "X-Auth-Token",
    "client_secret",
    "password",
    "Cookie",
  ])("%s holds a secret", (name) => expect(isSecretName(name)).toBe(true));
  test.each([
    "session_id_header_key",
    "session_token_header_key",
    "key_path",
    "base_url",
    "use_server_output_tokens",
    "x-team",
  ])("%s does not", (name) => expect(isSecretName(name)).toBe(false));
});

describe("redact()", () => {
  test("masks secrets at any depth, including header values and URL passwords", () => {
    const out = redact({
      server: { api_key: "sk-1", base_url: "http://bob:hunter2@h:8000/v1" },
      tokenizer: { token: "hf_abc", pretrained_model_name_or_path: "m" },
      api: { headers: { Authorization: "Bearer sk-1", "x-api-key": "k", "x-team": "t" } },
      empty: { api_key: "" },
    });
    expect(out).toEqual({
      server: { api_key: REDACTED, base_url: `http://bob:${REDACTED}@h:8000/v1` },
      tokenizer: { token: REDACTED, pretrained_model_name_or_path: "m" },
      api: { headers: { Authorization: REDACTED, "x-api-key": REDACTED, "x-team": "t" } },
      empty: { api_key: "" },
    });
  });
});

describe("printed config and fingerprint", () => {
  const secret = "sk-live-0123456789";
  const raw = {
    load: oneStage,
    server: { base_url: "http://127.0.0.1:8000", api_key: "${API_KEY}" },
    api: { headers: { Authorization: `Bearer ${secret}` } },
    tokenizer: { token: secret },
  };

  test("the printed YAML never contains the secret", () => {
    const { config } = build(raw, { env: { API_KEY: secret } });
    expect(config.server?.api_key).toBe(secret);
    const text = printConfig(config);
    expect(text).not.toContain(secret);
    expect(text).toContain(`api_key: '${REDACTED}'`);
  });

  test("the fingerprint does not depend on the secret", () => {
    const a = build(raw, { env: { API_KEY: secret } });
    const b = build(raw, { env: { API_KEY: "another" } });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).toBe(fingerprintConfig(a.config));
  });

  test("the fingerprint changes with a setting", () => {
    const a = build(raw, { env: { API_KEY: secret } });
    const b = build(raw, { env: { API_KEY: secret }, overrides: ["load.stages[0].rate=2"] });
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  test("printing then loading the output gives the same config back (without secrets)", () => {
    const { config } = build({ ...raw, tokenizer: null, api: {} }, { env: { API_KEY: "k" } });
    const again = build(parseYAML(printConfig(config)));
    expect(again.config).toEqual({ ...config, server: { ...config.server!, api_key: REDACTED } });
  });
});

describe("secrets from every source", () => {
  const envKey = "env-value-0123456789";
  const raw = {
    load: oneStage,
    server: {
      base_url: "http://admin:PASSWORD1@127.0.0.1:8000",
      model_name: "${MODEL}",
      api_key: "sk-file-key-123",
    },
    api: { headers: { "X-Custom-Auth": "${CUSTOM}", "X-Team": "team-a" } },
    tokenizer: { token: "hf_file_token_12" },
  };
  const env = { MODEL: "private-model", CUSTOM: envKey };

  test("secretsOf() lists ${VAR} values, secret-named fields and headers, and URL passwords", () => {
    const loaded = build(raw, { env });
    expect([...loaded.secrets].sort()).toEqual(
      [envKey, "private-model", "PASSWORD1", "sk-file-key-123", "hf_file_token_12"].sort(),
    );
  });

  test("the printed config shows none of them, and keeps what is not secret", () => {
    const loaded = build(raw, { env });
    const text = printConfig(loaded.config, loaded.secrets);
    for (const secret of loaded.secrets) expect(text).not.toContain(secret);
    expect(text).toContain("X-Team: team-a");
    expect(text).toContain(`base_url: http://admin:${REDACTED}@127.0.0.1:8000`);
    expect(text).toContain(`model_name: '${REDACTED}'`);
  });

  test("a problem message never quotes a ${VAR} value", () => {
    const bad = { ...raw, server: { ...raw.server, type: "${TYPE}" } };
    expect(problemsOf(bad, { env: { ...env, TYPE: "secret-type-value" } })).toEqual([
      `server.type: expected one of "vllm", "sglang", "tgi", "mock", got "${REDACTED}"`,
    ]);
  });
});
