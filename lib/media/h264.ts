// A tiny H.264 encoder for solid-colour frames: Constrained Baseline, CAVLC, every frame an IDR picture
// of I_16x16 macroblocks with DC prediction. No npm package encodes H.264 in pure JS, and a solid colour
// needs almost nothing of the standard: the first macroblock carries one luma DC and one DC per chroma
// plane (its prediction is 128, there being no neighbours), every other macroblock predicts the same
// value from its neighbours and codes no residual (one byte each). So a frame costs about one byte per
// 16x16 block, like a real encoder's output for flat content, and any decoder decodes it. Pure.
//
// The arithmetic, at QP 26 (pic_init_qp 26, no deltas), so the decoded sample of a level L is exact:
//   luma:   Intra16x16 DC level L at c[0][0] → Hadamard gives L everywhere → dcY = (L·208 + 2) >> 2 = 52L
//           (LevelScale(26 % 6 = 2) = 16·13 = 208, qP/6 = 4) → each 4x4 block's inverse transform of a
//           DC-only block is (52L + 32) >> 6 at every sample; sample = clip(128 + that).
//   chroma: ChromaDC level L at c[0] → dcC = ((L·208) << 4) >> 5 = 104L (QPc = 26 below 30) →
//           sample = clip(128 + ((104L + 32) >> 6)).
// Levels are coded as a single non-trailing-one coefficient, so |L| ≥ 2 (see codeLevel).
import { BitWriter, nalUnit } from "./_bits.ts";

/** One frame's colour as DC levels (|level| ≥ 2, |level| ≤ 2000); see `decodedSamples`. */
export interface SolidFrame {
  luma: number;
  cb: number;
  cr: number;
}

export interface H264Stream {
  /** Coded size: even, as 4:2:0 cropping needs (an odd size is rounded down, as inference-perf does). */
  width: number;
  height: number;
  /** WebCodecs codec string, e.g. "avc1.42c01f". */
  codec: string;
  /** AVCDecoderConfigurationRecord (the MP4 `avcC` box body). */
  avcC: Uint8Array;
  /** One access unit per frame in AVC format: the IDR slice NAL unit with a 4-byte length prefix. */
  frames: Uint8Array[];
}

const PROFILE_BASELINE = 66;
const CONSTRAINTS = 0xc0; // constraint_set0 and set1: Constrained Baseline

/** The luma and chroma samples a decoder produces for `frame`. */
export function decodedSamples(frame: SolidFrame): { y: number; cb: number; cr: number } {
  const clip = (x: number) => Math.max(0, Math.min(255, x));
  return {
    y: clip(128 + ((52 * frame.luma + 32) >> 6)),
    cb: clip(128 + ((104 * frame.cb + 32) >> 6)),
    cr: clip(128 + ((104 * frame.cr + 32) >> 6)),
  };
}

/** Encodes `frames` at `width` x `height` (each at least 2). */
export function encodeSolidFrames(width: number, height: number, frames: readonly SolidFrame[]): H264Stream {
  if (!(width >= 2 && height >= 2))
    throw new RangeError(`Video size must be at least 2x2, got ${width}x${height}`);
  if (frames.length === 0) throw new RangeError("A video needs at least one frame");
  const w = width - (width % 2);
  const h = height - (height % 2);
  const mbW = Math.ceil(w / 16);
  const mbH = Math.ceil(h / 16);
  const level = levelFor(mbW * mbH);
  const sps = nalUnit(3, 7, seqParameterSet(w, h, mbW, mbH, level));
  const pps = nalUnit(3, 8, picParameterSet());
  const coded = frames.map((frame, i) => lengthPrefixed(nalUnit(3, 5, idrSlice(frame, i, mbW * mbH))));
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return {
    width: w,
    height: h,
    codec: `avc1.${hex(PROFILE_BASELINE)}${hex(CONSTRAINTS)}${hex(level)}`,
    avcC: avcDecoderConfig(sps, pps),
    frames: coded,
  };
}

/** The lowest level whose frame size (in macroblocks) fits, so decoders size their buffers right. */
function levelFor(macroblocks: number): number {
  const levels: [number, number][] = [
    [99, 10],
    [396, 20],
    [792, 21],
    [1620, 22],
    [3600, 31],
    [5120, 32],
    [8192, 40],
    [22080, 50],
    [36864, 51],
    [139264, 60],
  ];
  for (const [max, idc] of levels) if (macroblocks <= max) return idc;
  throw new RangeError(`Video frame too large for H.264: ${macroblocks} macroblocks`);
}

function seqParameterSet(w: number, h: number, mbW: number, mbH: number, level: number): Uint8Array {
  const b = new BitWriter();
  b.u(8, PROFILE_BASELINE);
  b.u(8, CONSTRAINTS);
  b.u(8, level);
  b.ue(0); // seq_parameter_set_id
  b.ue(0); // log2_max_frame_num_minus4
  b.ue(2); // pic_order_cnt_type 2: output order is decode order
  b.ue(1); // max_num_ref_frames
  b.u(1, 0); // gaps_in_frame_num_value_allowed_flag
  b.ue(mbW - 1);
  b.ue(mbH - 1);
  b.u(1, 1); // frame_mbs_only_flag
  b.u(1, 1); // direct_8x8_inference_flag
  const cropRight = (mbW * 16 - w) / 2; // in 2-sample units (4:2:0)
  const cropBottom = (mbH * 16 - h) / 2;
  if (cropRight > 0 || cropBottom > 0) {
    b.u(1, 1);
    b.ue(0);
    b.ue(cropRight);
    b.ue(0);
    b.ue(cropBottom);
  } else b.u(1, 0);
  b.u(1, 0); // vui_parameters_present_flag: the MP4 container carries the timing
  b.trailing();
  return b.bytes();
}

function picParameterSet(): Uint8Array {
  const b = new BitWriter();
  b.ue(0); // pic_parameter_set_id
  b.ue(0); // seq_parameter_set_id
  b.u(1, 0); // entropy_coding_mode_flag: CAVLC
  b.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
  b.ue(0); // num_slice_groups_minus1
  b.ue(0); // num_ref_idx_l0_default_active_minus1
  b.ue(0); // num_ref_idx_l1_default_active_minus1
  b.u(1, 0); // weighted_pred_flag
  b.u(2, 0); // weighted_bipred_idc
  b.se(0); // pic_init_qp_minus26: QP 26
  b.se(0); // pic_init_qs_minus26
  b.se(0); // chroma_qp_index_offset
  b.u(1, 1); // deblocking_filter_control_present_flag
  b.u(1, 0); // constrained_intra_pred_flag
  b.u(1, 0); // redundant_pic_cnt_present_flag
  b.trailing();
  return b.bytes();
}

function idrSlice(frame: SolidFrame, index: number, macroblocks: number): Uint8Array {
  const b = new BitWriter();
  b.ue(0); // first_mb_in_slice
  b.ue(7); // slice_type: I, and every slice of the picture is I
  b.ue(0); // pic_parameter_set_id
  b.u(4, 0); // frame_num (0 in an IDR picture)
  b.ue(index % 2); // idr_pic_id: consecutive IDR pictures must differ
  b.u(1, 0); // no_output_of_prior_pics_flag
  b.u(1, 0); // long_term_reference_flag
  b.se(0); // slice_qp_delta
  b.ue(1); // disable_deblocking_filter_idc: nothing to filter in a flat picture
  // Macroblock 0: I_16x16, DC prediction, chroma DC coded (mb_type 1 + 2 + 4·1 = 7), no luma AC.
  b.ue(7);
  b.ue(0); // intra_chroma_pred_mode: DC
  b.se(0); // mb_qp_delta
  codeSingleDc(b, frame.luma, false); // Intra16x16DCLevel, nC = 0 (no neighbours)
  codeSingleDc(b, frame.cb, true); // ChromaDCLevel Cb, nC = -1
  codeSingleDc(b, frame.cr, true);
  // Every other macroblock: I_16x16, DC prediction, nothing coded (mb_type 3); its luma DC block has
  // no coefficient (coeff_token "1" with nC = 0: the neighbours' AC blocks are all empty).
  // Bits: ue(3) "00100", ue(0) "1", se(0) "1", coeff_token "1": exactly one byte, 0x27.
  b.repeatByte(0b00100111, macroblocks - 1);
  b.trailing();
  return b.bytes();
}

/** residual_block_cavlc with one coefficient, `level`, at scan position 0 (TotalCoeff 1, no trailing one). */
function codeSingleDc(b: BitWriter, level: number, chromaDc: boolean): void {
  if (chromaDc)
    b.u(6, 0b000111); // coeff_token TrailingOnes 0, TotalCoeff 1, nC = -1
  else b.u(6, 0b000101); // coeff_token TrailingOnes 0, TotalCoeff 1, 0 <= nC < 2
  codeLevel(b, level);
  b.u(1, 1); // total_zeros 0 (TotalCoeff 1, either table)
}

/**
 * The first non-trailing-one level with suffixLength 0. Its levelCode is coded 2 less (it cannot be
 * ±1 when fewer than three trailing ones precede it), hence |level| ≥ 2.
 */
function codeLevel(b: BitWriter, level: number): void {
  if (!Number.isInteger(level) || Math.abs(level) < 2 || Math.abs(level) > 2000) {
    throw new RangeError(`A DC level must be an integer with 2 <= |level| <= 2000, got ${level}`);
  }
  const code = (level > 0 ? 2 * level - 2 : -2 * level - 1) - 2;
  if (code < 14) {
    b.u(code, 0);
    b.u(1, 1);
  } else if (code < 30) {
    b.u(14, 0);
    b.u(1, 1);
    b.u(4, code - 14);
  } else {
    b.u(15, 0);
    b.u(1, 1);
    b.u(12, code - 30);
  }
}

function lengthPrefixed(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + nal.length);
  new DataView(out.buffer).setUint32(0, nal.length);
  out.set(nal, 4);
  return out;
}

function avcDecoderConfig(sps: Uint8Array, pps: Uint8Array): Uint8Array {
  const out = new Uint8Array(11 + sps.length + pps.length);
  const view = new DataView(out.buffer);
  out.set([1, sps[1] ?? 0, sps[2] ?? 0, sps[3] ?? 0, 0xff, 0xe1]); // version, profile, compat, level, 4-byte lengths, 1 SPS
  view.setUint16(6, sps.length);
  out.set(sps, 8);
  out[8 + sps.length] = 1; // one PPS
  view.setUint16(9 + sps.length, pps.length);
  out.set(pps, 11 + sps.length);
  return out;
}
