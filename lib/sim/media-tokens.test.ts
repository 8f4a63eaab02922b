import { describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { encodeSilentWav } from "../media/audio.ts";
import { encodeSolidImage } from "../media/image.ts";
import { encodeSolidMp4 } from "../media/mp4.ts";
import { imageSize, mp4Info, wavSeconds } from "../media/probe.ts";
import { audioCost, imageCost, imageTokens, smartResize, videoCost, videoTokens } from "./media-tokens.ts";

const dataUrl = (mime: string, bytes: Uint8Array) =>
  `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;

describe("Qwen2-VL style token counts", () => {
  test.each([
    // width, height → resized (multiples of 28 within 3136..12845056 pixels) and patches
    [1920, 1080, 1932, 1092, 2691],
    [640, 360, 644, 364, 299],
    [10, 10, 56, 56, 4],
  ])("a %ix%i image is seen as %ix%i: %i tokens", (w, h, rw, rh, tokens) => {
    expect(smartResize(w, h, { min: 3136, max: 12_845_056 })).toEqual({ width: rw, height: rh });
    expect(imageTokens(w, h)).toBe(tokens);
  });

  test("a 720p video of 32 frames: frames shrink to the video budget, two per temporal patch", () => {
    // 1280x720 exceeds 768·28² pixels: scaled to 1008x560, 36x20 patches, 16 temporal patches.
    expect(videoTokens(1280, 720, 32)).toBe(16 * 36 * 20);
  });
});

describe("sizes from the payload's own headers", () => {
  test("PNG and JPEG dimensions, and an image part's cost from its data URL", () => {
    expect(imageSize(encodeSolidImage(321, 123, [1, 2, 3], "png"))).toEqual({ width: 321, height: 123 });
    expect(imageSize(encodeSolidImage(77, 55, [1, 2, 3], "jpeg"))).toEqual({ width: 77, height: 55 });
    const url = dataUrl("image/png", encodeSolidImage(1920, 1080, [9, 9, 9], "png"));
    expect(imageCost(url)).toEqual({ modality: "image", tokens: 2691 });
  });

  test("an MP4's track size and frame count", async () => {
    const frames = Array.from({ length: 6 }, () => ({ luma: 10, cb: 3, cr: -3 }));
    const video = await encodeSolidMp4(640, 360, frames);
    expect(mp4Info(video.bytes)).toEqual({ width: 640, height: 360, frames: 6 });
    expect(videoCost(dataUrl("video/mp4", video.bytes)).tokens).toBe(videoTokens(640, 360, 6));
  });

  test("a WAV's duration, and 25 tokens per second of audio", () => {
    const wav = encodeSilentWav(2);
    expect(wavSeconds(wav, wav.length)).toBe(2);
    expect(audioCost(Buffer.from(wav).toString("base64"))).toEqual({ modality: "audio", tokens: 50 });
  });

  test("a remote URL, which the simulator does not fetch, counts as a 512x512 image", () => {
    expect(imageCost("https://example.com/cat.png").tokens).toBe(imageTokens(512, 512));
  });
});
