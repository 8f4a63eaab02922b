// Every kind of generated media, checked by a real decoder (ffprobe and ffmpeg from Debian's ffmpeg):
// the container parses without a single error, the stream has the size, length and frame count asked
// for, and decoded samples are the colour the encoder says it wrote.
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { encodeSilentWav } from "./audio.ts";
import { type Decoder, findFfprobe, frameValues, probe } from "./ffprobe.testing.ts";
import { decodedSamples, type SolidFrame } from "./h264.ts";
import { encodeSolidImage } from "./image.ts";
import { encodeSolidMp4 } from "./mp4.ts";

let decoder: Decoder | null = null;
const dir = tempDirForTests("inferload-media-");

beforeAll(() => {
  decoder = findFfprobe();
}, 600_000);

function save(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe("with a real decoder", () => {
  // Each decoder start costs about half a second here (it loads ~90 libraries): few cases, each a
  // different edge (odd sizes, 1080p as in mixed.yaml, a single frame, many frames).
  test.each([
    [33, 17],
    [1920, 1080],
  ])("a %ix%i PNG decodes to its size and its one colour", (width, height) => {
    if (decoder === null) return;
    const file = save(`i-${width}x${height}.png`, encodeSolidImage(width, height, [12, 200, 77], "png"));
    expect(probe(decoder, file)).toMatchObject({ codec_name: "png", width, height });
    if (width * height > 100_000) return; // the samples of a small one suffice
    const values = frameValues(decoder, file, "rgb24");
    expect([...values.keys()].sort((a, b) => a - b)).toEqual([12, 77, 200]);
    expect(values.get(200)).toBe(width * height);
  });

  test.each([[333, 101]])("a %ix%i JPEG decodes to its size and about its colour", (width, height) => {
    if (decoder === null) return;
    const file = save(`i-${width}x${height}.jpg`, encodeSolidImage(width, height, [12, 200, 77], "jpeg"));
    expect(probe(decoder, file)).toMatchObject({ codec_name: "mjpeg", width, height });
    const values = frameValues(decoder, file, "rgb24");
    // Lossy: every decoded sample lies within a few steps of the colour written.
    for (const value of values.keys()) {
      expect([12, 200, 77].some((c) => Math.abs(c - value) <= 4)).toBe(true);
    }
  });

  test.each([5])("a %f s WAV is 16 kHz mono 16-bit PCM of that length", (seconds) => {
    if (decoder === null) return;
    const file = save(`a-${seconds}.wav`, encodeSilentWav(seconds));
    const stream = probe(decoder, file);
    expect(stream).toMatchObject({ codec_name: "pcm_s16le", sample_rate: "16000", channels: 1 });
    expect(Number(stream.duration)).toBeCloseTo(seconds, 3);
  });

  test.each([
    [1280, 720, 32],
    [35, 19, 1],
  ])("a %ix%i MP4 of %i frames is H.264 with every frame decodable", async (width, height, count) => {
    if (decoder === null) return;
    const frames: SolidFrame[] = Array.from({ length: count }, (_, i) => ({
      luma: 40 + ((i * 7) % 32),
      cb: -20 - i,
      cr: 30,
    }));
    const video = await encodeSolidMp4(width, height, frames);
    const file = save(`v-${width}x${height}.mp4`, video.bytes);
    const stream = probe(decoder, file);
    expect(stream).toMatchObject({
      codec_name: "h264",
      profile: "Constrained Baseline",
      pix_fmt: "yuv420p",
      width: width - (width % 2),
      height: height - (height % 2),
      nb_read_frames: String(count),
    });
    expect(Number(stream.duration)).toBeCloseTo(count / 10, 5);
    // The last frame's luma is exactly the sample the encoder's arithmetic promises.
    const last = frames[count - 1] as SolidFrame;
    const luma = frameValues(decoder, file, "yuv420p", {
      index: count - 1,
      limit: video.width * video.height,
    });
    expect([...luma.keys()]).toEqual([decodedSamples(last).y]);
  });
});

test("the decoder is there, unless its fetch failed (which the run said above)", () => {
  expect(decoder === null || decoder.ffprobe.length > 0).toBe(true);
});
