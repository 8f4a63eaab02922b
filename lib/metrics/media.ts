// Per-modality stats of the media requests carried (inference-perf's `image`, `video`, `audio` blocks
// and its images/videos/audios_per_sec): per successful request the count of each kind, per instance
// its pixels, bytes, aspect ratio, frames or seconds. Successes only, as upstream. Pure.
import type { MediaInstance, RequestRecord } from "../record/record.ts";
import { Distribution, type Summary } from "./distribution.ts";

export interface MediaSnapshot {
  totals: { images: number; videos: number; audios: number };
  image: {
    count: Summary | null;
    pixels: Summary | null;
    bytes: Summary | null;
    aspect_ratio: Summary | null;
  };
  video: {
    count: Summary | null;
    frames: Summary | null;
    pixels: Summary | null;
    bytes: Summary | null;
    aspect_ratio: Summary | null;
  };
  audio: { count: Summary | null; seconds: Summary | null; bytes: Summary | null };
  exact: boolean;
}

const names = [
  "imageCount",
  "imagePixels",
  "imageBytes",
  "imageAspect",
  "videoCount",
  "videoFrames",
  "videoPixels",
  "videoBytes",
  "videoAspect",
  "audioCount",
  "audioSeconds",
  "audioBytes",
] as const;
type Name = (typeof names)[number];
/** The per-request counts, which text-only successes add to (as 0). */
const countNames: ReadonlySet<Name> = new Set(["imageCount", "videoCount", "audioCount"]);

export class MediaTally {
  readonly #exactLimit: number | undefined;
  #d: Record<Name, Distribution>;
  #totals = { images: 0, videos: 0, audios: 0 };
  /** Whether any request (success or failure) carried media: the blocks are written only then. */
  #seen = false;
  /**
   * Successes before the first request with media: their counts (0 of each kind) are put in front of
   * the count distributions when media is first seen, so a text-only run adds nothing per request.
   */
  #textOnly = 0;

  constructor(exactLimit?: number) {
    this.#exactLimit = exactLimit;
    this.#d = Object.fromEntries(names.map((n) => [n, new Distribution(exactLimit)])) as Record<
      Name,
      Distribution
    >;
  }

  add(record: RequestRecord): void {
    const media = record.media;
    if (!this.#seen) {
      if (media === null || media.length === 0) {
        if (record.failure === null) this.#textOnly++;
        return;
      }
      this.#see();
    }
    if (record.failure !== null) return;
    const d = this.#d;
    let images = 0;
    let videos = 0;
    let audios = 0;
    for (const m of media ?? []) {
      if (m.kind === "image") {
        images++;
        visual(m, d.imagePixels, d.imageBytes, d.imageAspect);
      } else if (m.kind === "video") {
        videos++;
        d.videoFrames.add(m.frames);
        visual(m, d.videoPixels, d.videoBytes, d.videoAspect);
      } else {
        audios++;
        d.audioSeconds.add(m.seconds);
        d.audioBytes.add(m.bytes);
      }
    }
    // Every success counts, a text-only one as 0 of each (upstream's per-request count lists).
    d.imageCount.add(images);
    d.videoCount.add(videos);
    d.audioCount.add(audios);
    this.#totals.images += images;
    this.#totals.videos += videos;
    this.#totals.audios += audios;
  }

  /** Media seen for the first time: the text-only successes before it count as 0 of each kind. */
  #see(): void {
    this.#seen = true;
    const d = this.#d;
    for (; this.#textOnly > 0; this.#textOnly--) {
      d.imageCount.add(0);
      d.videoCount.add(0);
      d.audioCount.add(0);
    }
  }

  /** Distribution `n`, with this tally's pending text-only zeros in front when `seen` (a copy then). */
  #withZeros(n: Name, seen: boolean): Distribution {
    if (!seen || this.#textOnly === 0 || !countNames.has(n)) return this.#d[n];
    const zeros = new Distribution(this.#exactLimit);
    for (let k = 0; k < this.#textOnly; k++) zeros.add(0);
    return Distribution.merge(zeros, this.#d[n]);
  }

  static merge(a: MediaTally, b: MediaTally): MediaTally {
    const out = new MediaTally(a.#exactLimit);
    out.#seen = a.#seen || b.#seen;
    for (const n of names)
      out.#d[n] = Distribution.merge(a.#withZeros(n, out.#seen), b.#withZeros(n, out.#seen));
    out.#textOnly = out.#seen ? 0 : a.#textOnly + b.#textOnly;
    out.#totals = {
      images: a.#totals.images + b.#totals.images,
      videos: a.#totals.videos + b.#totals.videos,
      audios: a.#totals.audios + b.#totals.audios,
    };
    return out;
  }

  /** The blocks, or null when no request of the bucket carried media (a text-only run writes none). */
  snapshot(percentiles: readonly number[]): MediaSnapshot | null {
    if (!this.#seen) return null;
    const s = (n: Name) => this.#d[n].summarize(percentiles);
    return {
      totals: { ...this.#totals },
      image: {
        count: s("imageCount"),
        pixels: s("imagePixels"),
        bytes: s("imageBytes"),
        aspect_ratio: s("imageAspect"),
      },
      video: {
        count: s("videoCount"),
        frames: s("videoFrames"),
        pixels: s("videoPixels"),
        bytes: s("videoBytes"),
        aspect_ratio: s("videoAspect"),
      },
      audio: { count: s("audioCount"), seconds: s("audioSeconds"), bytes: s("audioBytes") },
      exact: names.every((n) => this.#d[n].exact),
    };
  }
}

function visual(m: MediaInstance, pixels: Distribution, bytes: Distribution, aspect: Distribution): void {
  pixels.add(m.pixels);
  bytes.add(m.bytes);
  aspect.add(m.aspectRatio);
}
