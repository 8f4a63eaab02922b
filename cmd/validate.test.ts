// `inferload validate` end to end: spawns the CLI source with a fixed env, as a user runs it.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseYAML } from "confbox";

const root = join(import.meta.dir, "..");
const fixture = (name: string) => join(root, "fixtures/configs", name);

function validate(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(root, "cmd/main.ts"), "validate", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", TZ: "UTC", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("inferload validate", () => {
  test("checks the config's thresholds and --threshold flags, every problem at once (exit 2)", () => {
    const { code, stdout, stderr } = validate([
      "-c",
      fixture("valid/constant.yaml"),
      "--set",
      'thresholds=["ttft.p99 < 0.5", "goodput_percentage > 90"]',
      "--threshold",
      "failures.rate <",
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Invalid thresholds: 2 problems");
    expect(stderr).toContain('thresholds[1] "goodput_percentage > 90": expected report.goodput.constraints');
    expect(stderr).toContain('--threshold "failures.rate <": expected a number after "<"');
  });

  test("reads the config from standard input with -c -", () => {
    const result = spawnSync(process.execPath, [join(root, "cmd/main.ts"), "validate", "-c", "-"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", TZ: "UTC" },
      input: '[load]\ntype = "constant"\n[[load.stages]]\nrate = 3\nduration = 4\n',
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(0);
    expect((parseYAML(result.stdout) as { load: { stages: unknown[] } }).load.stages).toEqual([
      { rate: 3, duration: 4 },
    ]);
  });

  test("prints the resolved config as YAML and exits 0", () => {
    const { code, stdout } = validate(["-c", fixture("valid/constant.yaml")]);
    expect(code).toBe(0);
    const printed = parseYAML(stdout) as {
      load: { num_workers: number; base_seed: number; stages: unknown[] };
    };
    expect(printed.load.num_workers).toBe(32);
    expect(typeof printed.load.base_seed).toBe("number");
    expect(printed.load.stages).toEqual([{ rate: 100, duration: 60 }]);
  });

  test("applies every --set in order and redacts secrets from the environment", () => {
    const { code, stdout } = validate(
      [
        "-c",
        fixture("valid/synthetic-secrets.yaml"),
        "--set",
        "load.stages[0].rate=7",
        "--set=load.base_seed=99",
        "-s",
        "load.stages[0].rate=8",
      ],
      { INFERLOAD_FIXTURE_KEY: "sk-very-secret" },
    );
    expect(code).toBe(0);
    expect(stdout).not.toContain("sk-very-secret");
    const printed = parseYAML(stdout) as {
      load: { base_seed: number; stages: { rate: number }[] };
      server: { api_key: string };
    };
    expect(printed.load.stages[0]?.rate).toBe(8);
    expect(printed.load.base_seed).toBe(99);
    expect(printed.server.api_key).toBe("***redacted***");
  });

  test("an invalid config exits 2 with every problem and nothing on stdout", () => {
    const { code, stdout, stderr } = validate(["-c", fixture("invalid/lora-split.yaml")]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("load.lora_traffic_split[1].name: expected a name not used above");
    expect(stderr).toContain("within 0.000001");
    expect(stderr).not.toContain("    at "); // no stack trace
  });

  test("a missing -c exits 2", () => {
    const { code, stderr } = validate([]);
    expect(code).toBe(2);
    expect(stderr).toContain("Missing config");
  });

  test("a missing file exits 2", () => {
    const { code, stderr } = validate(["-c", "no-such-file.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toContain('Cannot read config "no-such-file.yaml": file not found');
  });
});
