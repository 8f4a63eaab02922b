// The live progress view: pulls a sampler a few times a second and redraws one stderr line on a
// terminal, prints a plain line every few seconds otherwise, and nothing when quiet. It only reads
// the runner's counters, so it never slows the send path (oha, k6: the display samples state).

export interface ProgressSample {
  sent: number;
  done: number;
  failed: number;
  inFlight: number;
  elapsedS: number;
  /** Planned stage length in seconds, null when unknown (count-bounded or concurrent stages). */
  totalS: number | null;
  stageId: number;
}

export interface ProgressOptions {
  sample: () => ProgressSample;
  /** Where lines go; process.stderr by default. */
  stream?: { write(text: string): unknown; isTTY?: boolean } | undefined;
  quiet?: boolean | undefined;
  /** Redraw period on a terminal, ms (default 250). */
  ttyIntervalMs?: number | undefined;
  /** Period of plain lines without a terminal, ms (default 5000). */
  plainIntervalMs?: number | undefined;
}

export interface Progress {
  /** Draw one update now (also called by the timer). */
  tick(): void;
  /** Final update and stop; on a terminal the line is finished with a newline. */
  stop(): void;
}

export function startProgress(options: ProgressOptions): Progress {
  // Quiet: process.stderr is not even touched (creating its stream object costs a few ms at the
  // start of the compiled binary, just before the first stage; docs/PERFORMANCE.md "Start-up").
  const stream = options.quiet === true ? NOWHERE : (options.stream ?? process.stderr);
  const tty = stream.isTTY === true;
  let previous: { done: number; atS: number } | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let drawn = false;

  function tick(): void {
    const sample = options.sample();
    const rate =
      previous === null || sample.elapsedS <= previous.atS
        ? null
        : (sample.done - previous.done) / (sample.elapsedS - previous.atS);
    previous = { done: sample.done, atS: sample.elapsedS };
    const line = progressLine(sample, rate);
    if (tty) {
      stream.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else stream.write(`${line}\n`);
  }

  if (options.quiet !== true) {
    timer = setInterval(tick, tty ? (options.ttyIntervalMs ?? 250) : (options.plainIntervalMs ?? 5000));
    // Never keep the process alive just to draw progress.
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    tick() {
      if (options.quiet !== true) tick();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (options.quiet === true) return;
      if (tty && drawn) {
        tick();
        stream.write("\n");
      }
    },
  };
}

const NOWHERE = { write: () => {}, isTTY: false };

/** One progress line: "stage 0  12.0/60 s  sent 1200  done 1180  failed 2  in flight 20  99.8 req/s". Pure. */
export function progressLine(sample: ProgressSample, ratePerS: number | null): string {
  const total = sample.totalS === null ? "" : `/${formatSeconds(sample.totalS)}`;
  const parts = [
    `stage ${sample.stageId}`,
    `${formatSeconds(sample.elapsedS)}${total} s`,
    `sent ${sample.sent}`,
    `done ${sample.done}`,
    `failed ${sample.failed}`,
    `in flight ${sample.inFlight}`,
  ];
  if (ratePerS !== null && Number.isFinite(ratePerS)) parts.push(`${ratePerS.toFixed(1)} req/s`);
  return parts.join("  ");
}

function formatSeconds(seconds: number): string {
  return seconds < 100 ? seconds.toFixed(1) : seconds.toFixed(0);
}
