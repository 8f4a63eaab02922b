// A real decoder for the media tests: ffprobe (and ffmpeg) from Debian's ffmpeg package, fetched once by
// scripts/fetch-ffprobe.sh into the user cache. `findFfprobe()` returns null, after saying why on
// stderr, when it cannot be had (no apt, no network): the tests that need it then skip, loudly.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Decoder {
  ffprobe: string;
  ffmpeg: string;
}

let found: Decoder | null | undefined;

export function findFfprobe(): Decoder | null {
  if (found !== undefined) return found;
  const override = process.env.INFERLOAD_FFPROBE;
  if (override && existsSync(override)) return (found = beside(override));
  const script = join(import.meta.dir, "../../scripts/fetch-ffprobe.sh");
  const run = spawnSync("bash", [script], { encoding: "utf8", timeout: 600_000 });
  const path = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.status === 0 && existsSync(path)) return (found = beside(path));
  process.stderr.write(
    `\n*** SKIPPING the real-decoder media checks: scripts/fetch-ffprobe.sh failed (${run.status ?? run.signal}).\n${run.stderr}\n`,
  );
  return (found = null);
}

function beside(ffprobe: string): Decoder {
  return { ffprobe, ffmpeg: join(dirname(ffprobe), "ffmpeg") };
}

export interface ProbedStream {
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  profile?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  nb_read_frames?: string;
}

/** ffprobe's view of the file's first stream; decode errors (anything on stderr at -v error) throw. */
export function probe(decoder: Decoder, file: string): ProbedStream {
  const run = spawnSync(
    decoder.ffprobe,
    ["-v", "error", "-count_frames", "-show_entries", "stream", "-of", "json", file],
    { encoding: "utf8" },
  );
  if (run.status !== 0 || run.stderr.trim() !== "") {
    throw new Error(`ffprobe rejected ${file}: ${run.stderr.trim() || `exit ${run.status}`}`);
  }
  const streams = (JSON.parse(run.stdout) as { streams: ProbedStream[] }).streams;
  if (streams.length !== 1) throw new Error(`Expected one stream in ${file}, got ${streams.length}`);
  return streams[0] as ProbedStream;
}

/**
 * The distinct byte values of frame `index` decoded to raw `pixFmt` ("rgb24", or "yuv420p" with `limit`
 * the luma plane's size to read its Y samples unconverted), with their counts.
 */
export function frameValues(
  decoder: Decoder,
  file: string,
  pixFmt: string,
  opts: { index?: number; limit?: number } = {},
): Map<number, number> {
  const index = opts.index ?? 0;
  const run = spawnSync(
    decoder.ffmpeg,
    [
      "-v",
      "error",
      "-i",
      file,
      "-vf",
      `select=eq(n\\,${index})`,
      "-frames:v",
      "1",
      "-f",
      "rawvideo",
      "-pix_fmt",
      pixFmt,
      "-",
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${run.stderr.toString()}`);
  const counts = new Map<number, number>();
  const bytes = (run.stdout as Buffer).subarray(0, opts.limit);
  for (const byte of bytes) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  return counts;
}
