import { describe, expect, test } from "bun:test";
import { resolveSimOptions, simDefaults } from "./options.ts";

describe("resolveSimOptions()", () => {
  test("fills every default and merges partial faults", () => {
    const options = resolveSimOptions({ maxNumSeqs: 8, faults: { cutRate: 0.5 } });
    expect(options.maxNumSeqs).toBe(8);
    expect(options.itlMs).toBe(simDefaults.itlMs);
    expect(options.faults).toEqual({ ...simDefaults.faults, cutRate: 0.5 });
  });

  test.each([
    [{ maxNumSeqs: 0 }, "max-num-seqs"],
    [{ port: 70000 }, "port"],
    [{ itlMs: Number.NaN }, "itl-ms"],
    [{ loras: ["sim-model"] }, "lora"],
    [{ faults: { rate500: 0.7, cutRate: 0.6 } }, "fault rates"],
    [{ faults: { afterTokens: 1.5 } }, "fault-after"],
  ])("rejects %j naming %s", (input, name) => {
    expect(() => resolveSimOptions(input)).toThrow(name);
  });
});
