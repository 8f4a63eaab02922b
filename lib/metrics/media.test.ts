import { expect, test } from "bun:test";
import { record } from "../record/record.testing.ts";
import type { MediaInstance } from "../record/record.ts";
import { MediaTally } from "./media.ts";
import { defaultPercentiles } from "./percentiles.ts";

const image: MediaInstance = { kind: "image", pixels: 64, bytes: 100, aspectRatio: 1, frames: 0, seconds: 0 };
const textOnly = record({ media: null });
const twoImages = record({ media: [image, image] });

test("a text-only bucket has no media blocks", () => {
  const tally = new MediaTally();
  for (let i = 0; i < 5; i++) tally.add(textOnly);
  expect(tally.snapshot(defaultPercentiles)).toBeNull();
});

test("text-only successes before the first media request count as 0 of each kind", () => {
  const tally = new MediaTally();
  for (let i = 0; i < 3; i++) tally.add(textOnly);
  tally.add(twoImages);
  tally.add(textOnly);
  const snap = tally.snapshot([50])!;
  // Five successes: 0, 0, 0, 2, 0 images.
  expect(snap.image.count).toEqual({ mean: 0.4, min: 0, median: 0, max: 2 });
  expect(snap.video.count).toEqual({ mean: 0, min: 0, median: 0, max: 0 });
  expect(snap.totals).toEqual({ images: 2, videos: 0, audios: 0 });
});

test("failures count no media, before or after media is seen", () => {
  const tally = new MediaTally();
  tally.add(record({ media: null, failure: "timeout" }));
  tally.add(record({ media: [image], failure: "timeout" }));
  tally.add(textOnly);
  expect(tally.snapshot([50])!.image.count).toEqual({ mean: 0, min: 0, median: 0, max: 0 });
});

test("merging a text-only tally with a media one equals one tally fed both in order", () => {
  const first = new MediaTally();
  const second = new MediaTally();
  const both = new MediaTally();
  for (let i = 0; i < 4; i++) {
    first.add(textOnly);
    both.add(textOnly);
  }
  for (const r of [twoImages, textOnly, record({ media: [image] })]) {
    second.add(r);
    both.add(r);
  }
  expect(MediaTally.merge(first, second).snapshot(defaultPercentiles)).toEqual(
    both.snapshot(defaultPercentiles),
  );
  expect(MediaTally.merge(second, first).snapshot([50])!.image.count).toEqual({
    mean: 3 / 7,
    min: 0,
    median: 0,
    max: 2,
  });
  expect(MediaTally.merge(first, first).snapshot(defaultPercentiles)).toBeNull();
});
