// `data.multimodal` (inference-perf's SyntheticMultimodalDatagenConfig): per modality a count
// distribution, an insertion point, and the sizes to draw from. Pure.
import * as v from "valibot";
import { int, num, oneOf, opt, strict } from "./_valibot.ts";
import type { distributionSchema } from "./schema-data.ts";

export const resolutionPresets = ["4k", "1080p", "720p", "360p"] as const;

/** A preset name or `{height, width}`, chosen by the input's shape so a mistake lands on its field. */
const resolutionSchema = v.lazy((input) =>
  input !== null && typeof input === "object"
    ? strict({ height: int({ gt: 0 }), width: int({ gt: 0 }) })
    : oneOf(resolutionPresets),
);

const weight = v.optional(num({ ge: 0 }), 1);
const videoProfileSchema = strict({ resolution: resolutionSchema, frames: int({ gt: 0 }) });
const durationSchema = num({ gt: 0 });

/** `Union[X, List[{key: X, weight}]]`, chosen by the input's shape (a list or not). */
function oneOrList<S extends v.GenericSchema, L extends v.GenericSchema>(single: S, item: L) {
  return v.lazy((input) => (Array.isArray(input) ? v.array(item, "expected a list") : single));
}

/** The multimodal section over the shared distribution schema (passed in: schema-data.ts owns it). */
export function multimodalSchema(distribution: typeof distributionSchema) {
  const insertionPoint = v.optional(
    v.nullable(
      v.lazy((input) => (input !== null && typeof input === "object" ? distribution : num({ ge: 0, le: 1 }))),
    ),
    null,
  );
  return strict({
    image: opt(
      strict({
        count: opt(distribution),
        insertion_point: insertionPoint,
        resolutions: opt(oneOrList(resolutionSchema, strict({ resolution: resolutionSchema, weight }))),
        representation: v.optional(oneOf(["png", "jpeg"]), "png"),
      }),
    ),
    video: opt(
      strict({
        count: opt(distribution),
        insertion_point: insertionPoint,
        profiles: opt(oneOrList(videoProfileSchema, strict({ profile: videoProfileSchema, weight }))),
        // "frames" is png_frames' name in inference-perf's earlier releases (its mixed.yaml still uses it).
        representation: v.optional(oneOf(["mp4", "png_frames", "jpeg_frames", "frames"]), "mp4"),
      }),
    ),
    audio: opt(
      strict({
        count: opt(distribution),
        insertion_point: insertionPoint,
        durations: opt(oneOrList(durationSchema, strict({ duration: durationSchema, weight }))),
      }),
    ),
  });
}
