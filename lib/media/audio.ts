// Silent 16-bit mono PCM WAV at 16 kHz, as inference-perf synthesises audio (Python's `wave` module):
// the bytes depend only on the duration. The 44-byte RIFF header is written here: the npm WAV packages
// (wavefile) load under Bun but not as ES modules under Deno, and the header is fixed. Pure.

export const AUDIO_SAMPLE_RATE = 16000;

/** A silent clip of `seconds` (at least one sample, rounded to the nearest sample as upstream). */
export function encodeSilentWav(seconds: number): Uint8Array {
  if (!(Number.isFinite(seconds) && seconds >= 0))
    throw new RangeError(`Audio duration must be >= 0, got ${seconds}`);
  const samples = Math.max(1, Math.round(seconds * AUDIO_SAMPLE_RATE));
  const dataBytes = samples * 2;
  const out = new Uint8Array(44 + dataBytes); // the samples stay zero: silence
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, AUDIO_SAMPLE_RATE, true);
  view.setUint32(28, AUDIO_SAMPLE_RATE * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return out;
}
