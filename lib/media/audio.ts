// Silent 16-bit mono PCM WAV at 16 kHz, as inference-perf synthesises audio: the bytes depend only on
// the duration. Encoded by wavefile. Pure.
import { WaveFile } from "wavefile";

export const AUDIO_SAMPLE_RATE = 16000;

/** A silent clip of `seconds` (at least one sample, rounded to the nearest sample as upstream). */
export function encodeSilentWav(seconds: number): Uint8Array {
  if (!(Number.isFinite(seconds) && seconds >= 0))
    throw new RangeError(`Audio duration must be >= 0, got ${seconds}`);
  const samples = Math.max(1, Math.round(seconds * AUDIO_SAMPLE_RATE));
  const wav = new WaveFile();
  wav.fromScratch(1, AUDIO_SAMPLE_RATE, "16", new Int16Array(samples));
  return wav.toBuffer();
}
