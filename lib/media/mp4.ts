// Solid-colour H.264 frames (h264.ts) muxed into an MP4 file by mediabunny, at inference-perf's 10 frames
// per second. Pure apart from mediabunny's in-memory target; async only because mediabunny's API is.
import { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output } from "mediabunny";
import { encodeSolidFrames, type SolidFrame } from "./h264.ts";

/** inference-perf's synthetic video frame rate. */
export const VIDEO_FPS = 10;

export interface Mp4Video {
  bytes: Uint8Array;
  /** The coded size (an odd width or height is rounded down to even). */
  width: number;
  height: number;
  frames: number;
}

export async function encodeSolidMp4(
  width: number,
  height: number,
  frames: readonly SolidFrame[],
): Promise<Mp4Video> {
  const stream = encodeSolidFrames(width, height, frames);
  const target = new BufferTarget();
  // fastStart in memory: the moov box before the media data, as streaming decoders prefer.
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: "in-memory" }), target });
  const source = new EncodedVideoPacketSource("avc");
  output.addVideoTrack(source, { frameRate: VIDEO_FPS });
  await output.start();
  for (const [i, data] of stream.frames.entries()) {
    const packet = new EncodedPacket(data, "key", i / VIDEO_FPS, 1 / VIDEO_FPS);
    const meta =
      i === 0
        ? {
            decoderConfig: {
              codec: stream.codec,
              codedWidth: stream.width,
              codedHeight: stream.height,
              description: stream.avcC,
            },
          }
        : undefined;
    await source.add(packet, meta);
  }
  await output.finalize();
  if (target.buffer === null) throw new Error("mediabunny produced no MP4 output");
  return {
    bytes: new Uint8Array(target.buffer),
    width: stream.width,
    height: stream.height,
    frames: frames.length,
  };
}
