// `run` and `validate` end to end (in-process, as cmd/run.test.ts): what run refuses before any load,
// validate refuses too; report folders; and every path a secret or a server's escape codes could
// leak through (console, saved config, reports, per-request records).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject here
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { formatTimestamp } from "../lib/config/resolve.ts";
import { simConfig, simForTests, writeConfigFile } from "../lib/run/benchmark.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";

const dir = tempDirForTests("inferload-preflight-e2e-");
const sim = simForTests({ prefillMs: 1, itlMs: 1 });

/** Unary requests of mock data, 5 in one second; each section of `extra` replaces the default's whole. */
function writeConfig(extra: Record<string, unknown> = {}, load: Record<string, unknown> = {}): string {
  const config = simConfig(sim().url, {
    api: { streaming: false },
    data: { type: "mock" },
    load: { base_seed: 7, stages: [{ rate: 5, duration: 1 }], ...load },
  });
  return writeConfigFile(dir, { ...config, ...extra });
}

/** Runs the CLI in-process and returns its exit code with what it wrote on stderr. */
async function cli(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const write = { err: process.stderr.write, out: process.stdout.write };
  let stderr = "";
  let stdout = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await runCli(argv), stderr, stdout };
  } finally {
    process.stderr.write = write.err;
    process.stdout.write = write.out;
  }
}

describe("run refuses before any load what validate refuses", () => {
  let n = 0;
  const aFile = () => {
    const path = join(dir, `a-file-${++n}`);
    writeFileSync(path, "");
    return path;
  };
  const cases: [string, () => { config: string; outputDir?: string }, string][] = [
    [
      "a base_url without a scheme",
      () => ({ config: writeConfig({ server: { base_url: sim().url.replace("http://", "") } }) }),
      "server.base_url: expected a URL starting with http:// or https://",
    ],
    [
      "an ftp:// base_url",
      () => ({ config: writeConfig({ server: { base_url: "ftp://127.0.0.1:21" } }) }),
      '(scheme "ftp")',
    ],
    [
      "port 99999",
      () => ({ config: writeConfig({ server: { base_url: "http://127.0.0.1:99999" } }) }),
      'expected a port from 1 to 65535, got "http://127.0.0.1:99999"',
    ],
    [
      "a base_url ending in /v1",
      () => ({ config: writeConfig({ server: { base_url: `${sim().url}/v1` } }) }),
      'expected the server\'s root URL without "/v1"',
    ],
    [
      "rate: 1e12",
      () => ({ config: writeConfig({}, { stages: [{ rate: 1e12, duration: 1 }] }) }),
      "load.stages[0].rate: expected at most 1000000",
    ],
    [
      "100,000 workers",
      () => ({ config: writeConfig({}, { num_workers: 100_000 }) }),
      "load.num_workers: expected at most 256",
    ],
    [
      "CR LF in a header value",
      () => ({ config: writeConfig({ api: { headers: { "X-Team": "k\r\nX-Injected: yes" } } }) }),
      "api.headers.X-Team: expected a value without control characters",
    ],
    [
      "a user-set Content-Length",
      () => ({ config: writeConfig({ api: { headers: { "Content-Length": "1" } } }) }),
      "expected no Content-Length header",
    ],
    [
      "a chat template on the chat API",
      () => ({
        config: writeConfig({ api: { type: "chat" }, data: { type: "random", use_chat_template: true } }),
      }),
      'api.type: expected "completion" for data.use_chat_template',
    ],
    [
      "an unreadable data file",
      () => ({ config: writeConfig({ data: { type: "shareGPT", path: join(dir, "none.json") } }) }),
      "data.path: cannot read",
    ],
    [
      "a report folder that is a file",
      () => ({ config: writeConfig({ storage: { local_storage: { path: aFile() } } }) }),
      "it is a file, not a folder",
    ],
    [
      "an empty report folder name",
      () => ({ config: writeConfig({ storage: { local_storage: { path: "" } } }) }),
      'storage.local_storage.path: expected a folder for the reports, got ""',
    ],
  ];

  test.each(cases)("%s: run and validate exit 2, nothing is sent", async (_, make, message) => {
    const { config } = make();
    const before = sim().stats().completed;
    const run = await cli(["run", "-c", config, "--quiet"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain("This is a bug");
    const validate = await cli(["validate", "-c", config]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('is valid, but "inferload run" would refuse it');
    expect(validate.stderr).toContain(message);
    expect(validate.stdout).toBe("");
    expect(sim().stats().completed).toBe(before);
  });

  test("an --output-dir that is a file: exit 2 before any load", async () => {
    const before = sim().stats().completed;
    const run = await cli(["run", "-c", writeConfig(), "--quiet", "--output-dir", aFile()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("it is a file, not a folder");
    expect(sim().stats().completed).toBe(before);
  });

  test.each([["__proto__.x=1"], ["load.constructor.prototype.x=1"]])(
    "--set %s: exit 2, nothing polluted",
    async (override) => {
      for (const command of ["run", "validate"]) {
        const result = await cli([command, "-c", writeConfig(), "--set", override]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("unknown key");
      }
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    },
  );
});

describe("report folders", () => {
  test("a named folder holding reports is refused; --overwrite replaces them, stale files too", async () => {
    const out = join(dir, "named");
    mkdirSync(out);
    writeFileSync(join(out, "stage_5_lifecycle_metrics.json"), "{}");
    writeFileSync(join(out, "notes.txt"), "mine");
    const config = writeConfig();
    const refused = await cli(["run", "-c", config, "--quiet", "--output-dir", out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --overwrite");
    expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out, "--overwrite"])).toBe(0);
    const files = readdirSync(out);
    expect(files).not.toContain("stage_5_lifecycle_metrics.json");
    expect(files).toContain("stage_0_lifecycle_metrics.json");
    expect(files).toContain("notes.txt");
  }, 30_000);

  test("a default folder name already taken (a run in the same second) gets a suffix", async () => {
    const base = join(dir, "auto");
    mkdirSync(base);
    const taken: string[] = [];
    // Whatever second the run starts in, its folder name is taken, reports and all.
    const now = Date.now();
    for (let s = 0; s < 30; s++) {
      const folder = join(base, `reports-${formatTimestamp(new Date(now + s * 1000))}`);
      mkdirSync(folder);
      writeFileSync(join(folder, "summary_lifecycle_metrics.json"), '{"old": true}');
      taken.push(folder);
    }
    const config = writeConfig({ storage: { local_storage: { path: join(base, "reports-{timestamp}") } } });
    expect(await runCli(["run", "-c", config, "--quiet"])).toBe(0);
    const fresh = readdirSync(base).filter((name) => name.endsWith("-2"));
    expect(fresh).toHaveLength(1);
    expect(readdirSync(join(base, fresh[0]!))).toContain("stage_0_lifecycle_metrics.json");
    for (const folder of taken) expect(readdirSync(folder)).toEqual(["summary_lifecycle_metrics.json"]);
  }, 30_000);
});

// A server that lists a model, then refuses every completion with a 401 that echoes the key it was
// sent, with terminal escape codes in the message (as a hostile or careless server might).
async function echoingServer(): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const auth = req.headers.authorization ?? "";
    seen.push(auth);
    if (req.url === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"data":[{"id":"m"}]}');
      return;
    }
    if (auth === "Bearer sk-good-key-0123456789") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"choices":[{"text":"hi"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}');
      return;
    }
    const message = `Incorrect API key provided: ${auth} (custom ${req.headers["x-custom-auth"]})\u001b[2J\u001b[H`;
    res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server, seen };
}

function readAll(folder: string): string {
  return readdirSync(folder)
    .map((name) => readFileSync(join(folder, name), "utf8"))
    .join("\n");
}

describe("secrets and server text", () => {
  const key = "sk-live-secret-0123456789";
  const custom = "custom-auth-value-987654";
  const password = "url-password-55555";

  test("a key the server echoes, ${VAR} header values and a URL password appear nowhere we print or save", async () => {
    const { url, server } = await echoingServer();
    process.env.INFERLOAD_TEST_KEY = key;
    process.env.INFERLOAD_TEST_CUSTOM = custom;
    try {
      const out = join(dir, "secrets");
      const config = writeConfig({
        server: {
          base_url: url.replace("http://", `http://admin:${password}@`),
          model_name: "m",
          api_key: "${INFERLOAD_TEST_KEY}",
        },
        api: {
          type: "completion",
          streaming: false,
          headers: { "X-Custom-Auth": "${INFERLOAD_TEST_CUSTOM}" },
        },
        report: { request_lifecycle: { per_request: true } },
      });
      const run = await cli(["run", "-c", config, "--output-dir", out]);
      // Every request is refused (401): the run finishes, writes its reports and exits 1.
      expect(run.code).toBe(1);
      const validate = await cli(["validate", "-c", config]);
      expect(validate.code).toBe(0);
      const saved = readAll(out);
      // The server's message made it into the reports (masked), so the test can fail.
      expect(saved).toContain("Incorrect API key provided: Bearer ***redacted***");
      expect(readdirSync(out)).toContain("per_request_lifecycle_metrics.json");
      for (const text of [run.stderr, run.stdout, validate.stdout, validate.stderr, saved]) {
        for (const secret of [key, custom, password]) expect(text).not.toContain(secret);
      }
      // The console (the table's failure lines, on stdout) shows the server's escape codes as text, never raw.
      expect(run.stdout).toContain("\\x1b[2J");
      expect(run.stdout + run.stderr).not.toContain("\u001b[2J");
    } finally {
      delete process.env.INFERLOAD_TEST_KEY;
      delete process.env.INFERLOAD_TEST_CUSTOM;
      server.close();
    }
  }, 30_000);

  test("a key read from a file with a trailing newline is sent without it", async () => {
    const { url, server, seen } = await echoingServer();
    try {
      const out = join(dir, "newline");
      const config = writeConfig({
        server: { base_url: url, model_name: "m", api_key: "sk-good-key-0123456789\n" },
      });
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      const stage = JSON.parse(readFileSync(join(out, "stage_0_lifecycle_metrics.json"), "utf8"));
      expect(stage.successes.count).toBe(5);
      expect(seen.every((auth) => auth === "Bearer sk-good-key-0123456789")).toBe(true);
    } finally {
      server.close();
    }
  }, 30_000);

  test("a server answering 401 before the run: exit 1, its status and message, the key masked", async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(401).end(`{"error":"bad key ${req.headers.authorization}"}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const out = join(dir, "refused");
      const config = writeConfig({ server: { base_url: `http://127.0.0.1:${port}`, api_key: key } });
      const run = await cli(["run", "-c", config, "--quiet", "--output-dir", out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("GET /v1/models answered HTTP 401: bad key Bearer ***redacted***");
      expect(run.stderr).not.toContain(key);
      expect(existsSync(join(out, "summary_lifecycle_metrics.json"))).toBe(false);
    } finally {
      server.close();
    }
  }, 30_000);

  test("with server.model_name set the server is asked nothing before the requests, unless --wait-for-server is given", async () => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      paths.push(req.url ?? "");
      res.writeHead(401).end('{"error":"bad key"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const config = writeConfig({ server: { base_url: `http://127.0.0.1:${port}`, model_name: "m" } });
      // No probe: the requests go out and fail with the server's 401, counted; reports are written.
      const direct = await cli(["run", "-c", config, "--quiet", "--output-dir", join(dir, "no-probe")]);
      expect(direct.code).toBe(1);
      expect(paths.length).toBeGreaterThan(0);
      expect(paths).not.toContain("/v1/models");
      expect(existsSync(join(dir, "no-probe", "summary_lifecycle_metrics.json"))).toBe(true);
      // Asked to wait: GET /v1/models first, and its 401 stops the run before any load.
      paths.length = 0;
      const waited = await cli([
        "run",
        "-c",
        config,
        "--quiet",
        "--output-dir",
        join(dir, "probe-asked"),
        "--wait-for-server",
        "5",
      ]);
      expect(waited.code).toBe(1);
      expect(waited.stderr).toContain("GET /v1/models answered HTTP 401");
      expect(paths).toEqual(["/v1/models"]);
      expect(existsSync(join(dir, "probe-asked", "summary_lifecycle_metrics.json"))).toBe(false);
    } finally {
      server.close();
    }
  }, 30_000);
});
