import { describe, expect, test } from "bun:test";
import {
  checkSimOptions,
  resolveSimOptions,
  type SimOptionSpec,
  simDefaults,
  simOptionKeys,
  simOptionsFromValues,
  simOptionTable,
} from "./options.ts";

describe("resolveSimOptions()", () => {
  test("fills every default and merges partial faults", () => {
    const options = resolveSimOptions({ maxNumSeqs: 8, faults: { cutRate: 0.5 } });
    expect(options.maxNumSeqs).toBe(8);
    expect(options.itlMs).toBe(simDefaults.itlMs);
    expect(options.faults).toEqual({ ...simDefaults.faults, cutRate: 0.5 });
  });

  // In code, options are named by their SimOptions field path; flag spellings belong to the CLI.
  test.each([
    [{ maxNumSeqs: 0 }, "maxNumSeqs: expected an integer >= 1, got 0"],
    [{ port: 70000 }, "port: expected an integer from 0 to 65535, got 70000"],
    [{ itlMs: Number.NaN }, "itlMs"],
    [{ loras: ["sim-model"] }, 'loras: expected names other than the model "sim-model"'],
    [{ faults: { rate500: 0.7, cutRate: 0.6 } }, "fault rates (faults.rate429, faults.rate500"],
    [{ faults: { afterTokens: 1.5 } }, "faults.afterTokens: expected an integer >= 0, got 1.5"],
    [{ truthLogPath: "" }, "truthLogPath: expected a non-empty file path"],
  ])("rejects %j naming %s", (input, name) => {
    expect(() => resolveSimOptions(input)).toThrow(name);
  });
});

describe("simOptionTable", () => {
  test("gives the simulator's defaults", () => {
    expect(simDefaults).toMatchObject({ port: 8000, maxNumSeqs: 256, prefillMsPerToken: 0.05, loras: [] });
    expect(simDefaults.faults).toMatchObject({ afterTokens: 5, closeConnection: false, rate503: 0 });
    expect(simDefaults.truthLogPath).toBeNull();
  });

  test.each(simOptionKeys)("the default of %s passes its own check", (key) => {
    const row: SimOptionSpec = simOptionTable[key];
    const check = row.check as { ok: (v: unknown) => boolean } | undefined;
    expect(check === undefined || check.ok(row.default)).toBe(true);
  });

  test("lands each value by key in its field, and names each problem by key as the caller spells it", () => {
    const options = simOptionsFromValues({ fail429: 2, faultAfter: 3, lora: ["a"], truthLog: "t.jsonl" });
    expect(options.faults).toMatchObject({ rate429: 2, afterTokens: 3 });
    expect(options).toMatchObject({ loras: ["a"], truthLogPath: "t.jsonl" });
    expect(checkSimOptions(options, (key) => `<${key}>`)).toEqual([
      "<fail429>: expected a fraction from 0 to 1, got 2",
      "fault rates (<fail429>, <fail500>, <fail503>, <cutRate>, <malformedRate>, <errorEventRate>, <dropRate>): expected a sum <= 1, got 2",
    ]);
  });

  test("no description spells a flag: other options are named as {key}", () => {
    for (const key of simOptionKeys) {
      const { description } = simOptionTable[key];
      expect(description).not.toMatch(/--/);
      for (const [, named] of description.matchAll(/\{(\w+)\}/g)) expect(named! in simOptionTable).toBe(true);
    }
  });
});
