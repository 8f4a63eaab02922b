import { describe, expect, test } from "bun:test";
import { BitWriter, nalUnit } from "./_bits.ts";
import { decodedSamples, encodeSolidFrames } from "./h264.ts";

function bits(write: (b: BitWriter) => void): string {
  const b = new BitWriter();
  write(b);
  b.trailing();
  return [...b.bytes()].map((x) => x.toString(2).padStart(8, "0")).join("");
}

describe("BitWriter", () => {
  test.each([
    [0, "1"],
    [1, "010"],
    [2, "011"],
    [3, "00100"],
    [7, "0001000"],
  ])("ue(%i) is %s", (value, code) => {
    expect(bits((b) => b.ue(value)).startsWith(`${code}1`)).toBe(true);
  });

  test.each([
    [0, "1"],
    [1, "010"],
    [-1, "011"],
    [2, "00100"],
  ])("se(%i) is %s", (value, code) => {
    expect(bits((b) => b.se(value)).startsWith(`${code}1`)).toBe(true);
  });

  test("repeatByte() writes the same bits as a byte at a time, at any alignment", () => {
    for (let offset = 0; offset < 8; offset++) {
      const slow = bits((b) => {
        b.u(offset, 0b1011011 & ((1 << offset) - 1));
        for (let i = 0; i < 5; i++) b.u(8, 0x27);
      });
      const fast = bits((b) => {
        b.u(offset, 0b1011011 & ((1 << offset) - 1));
        b.repeatByte(0x27, 5);
      });
      expect(fast).toBe(slow);
    }
  });
});

test("nalUnit() inserts an emulation prevention byte after two zeros before 0-3", () => {
  expect([...nalUnit(3, 5, new Uint8Array([0, 0, 1, 0, 0, 4, 0, 0, 0]))]).toEqual([
    0x65, 0, 0, 3, 1, 0, 0, 4, 0, 0, 3, 0,
  ]);
});

describe("encodeSolidFrames()", () => {
  test("rounds odd sizes down to even and names the level the frame size needs", () => {
    expect(encodeSolidFrames(1281, 721, [{ luma: 2, cb: 2, cr: 2 }])).toMatchObject({
      width: 1280,
      height: 720,
      codec: "avc1.42c01f",
    });
    expect(encodeSolidFrames(1920, 1080, [{ luma: 2, cb: 2, cr: 2 }]).codec).toBe("avc1.42c028");
  });

  test("costs about one byte per macroblock per frame", () => {
    const { frames } = encodeSolidFrames(1280, 720, [{ luma: 50, cb: -9, cr: 9 }]);
    expect(frames[0]?.length).toBeGreaterThan(3600);
    expect(frames[0]?.length).toBeLessThan(3600 + 40);
  });

  test.each([0, 1, -1, 2001, 2.5])("refuses the DC level %p", (luma) => {
    expect(() => encodeSolidFrames(16, 16, [{ luma, cb: 2, cr: 2 }])).toThrow(RangeError);
  });

  test("decodedSamples() follows the QP 26 DC arithmetic and clips", () => {
    expect(decodedSamples({ luma: 42, cb: -20, cr: 30 })).toEqual({ y: 162, cb: 96, cr: 177 });
    expect(decodedSamples({ luma: 2000, cb: -2000, cr: 2 })).toEqual({ y: 255, cb: 0, cr: 131 });
  });
});
