// Recorded waveforms for `--replay`: raw little-endian float32 in g (`.f32`, no header, the
// CWRU files' format; it carries no rate, so it plays at the sensor's rate) and WAV (PCM 16,
// 24 or 32 bit, or IEEE float32; mono, or the first channel of several; the rate from its
// header). PCM has no unit: full scale reads as ±1 g. Float WAV samples are taken as g.
import { readFileSync } from 'node:fs';
import type { SensorSpec } from './device.js';

export interface Recording {
  readonly samples: Float32Array;
  /** The WAV header's rate; undefined for `.f32`, which has none. */
  readonly rateHz: number | undefined;
}

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  readonly code = 'bad_recording' as const;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
/** WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID. */
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Offset of the sub-format GUID inside an extensible `fmt ` chunk. */
const EXTENSIBLE_SUBFORMAT_OFFSET = 24;

/** Reads `file`: WAV when it starts with a RIFF/WAVE header, raw float32 otherwise. */
export function loadRecording(file: string): Recording {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new RecordingError(`cannot read ${file} (${reason})`, { cause: error });
  }
  const isWav =
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WAVE';
  try {
    return isWav ? parseWav(bytes) : { samples: parseF32(bytes), rateHz: undefined };
  } catch (error) {
    if (error instanceof RecordingError) throw new RecordingError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Raw little-endian float32: a whole number of 4-byte samples, at least one, all finite. */
export function parseF32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength === 0) throw new RecordingError('is empty');
  if (bytes.byteLength % 4 !== 0) {
    throw new RecordingError(
      `${bytes.byteLength} bytes is not a whole number of float32 samples (not raw float32?)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < samples.length; i++) {
    const value = view.getFloat32(i * 4, true);
    if (!Number.isFinite(value)) {
      throw new RecordingError(`sample ${i} is not a finite number (not raw float32?)`);
    }
    samples[i] = value;
  }
  return samples;
}

interface WavFormat {
  format: number;
  channels: number;
  rateHz: number;
  bits: number;
}

export function parseWav(bytes: Uint8Array): Recording {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) =>
    String.fromCharCode(...bytes.subarray(at, Math.min(at + 4, bytes.byteLength)));
  let format: WavFormat | undefined;
  let data: { offset: number; length: number } | undefined;
  for (let at = 12; at + 8 <= bytes.byteLength;) {
    const id = text(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.byteLength) {
        throw new RecordingError('WAV fmt chunk is truncated');
      }
      let tag = view.getUint16(body, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE && size >= EXTENSIBLE_SUBFORMAT_OFFSET + 2) {
        tag = view.getUint16(body + EXTENSIBLE_SUBFORMAT_OFFSET, true);
      }
      format = {
        format: tag,
        channels: view.getUint16(body + 2, true),
        rateHz: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      // A streamed WAV may say 0 or more than there is: take what the file holds.
      data = { offset: body, length: Math.min(size, bytes.byteLength - body) };
    }
    if (format !== undefined && data !== undefined) break;
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  if (format === undefined) throw new RecordingError('WAV has no fmt chunk');
  if (data === undefined) throw new RecordingError('WAV has no data chunk');
  const { channels, rateHz, bits } = format;
  const supported =
    (format.format === WAVE_FORMAT_PCM && (bits === 16 || bits === 24 || bits === 32)) ||
    (format.format === WAVE_FORMAT_IEEE_FLOAT && bits === 32);
  if (!supported) {
    throw new RecordingError(
      `WAV format ${format.format} with ${bits}-bit samples is not supported ` +
        '(PCM 16/24/32-bit or float32)',
    );
  }
  if (channels < 1) throw new RecordingError('WAV has no channels');
  if (rateHz < 1) throw new RecordingError('WAV has no sample rate');
  const bytesPerSample = bits / 8;
  const frame = bytesPerSample * channels;
  const count = Math.floor(data.length / frame);
  if (count === 0) throw new RecordingError('WAV has no samples');
  const samples = new Float32Array(count);
  const fullScale = 2 ** (bits - 1);
  for (let i = 0; i < count; i++) {
    const at = data.offset + i * frame; // the first channel of each frame
    let value: number;
    if (format.format === WAVE_FORMAT_IEEE_FLOAT) value = view.getFloat32(at, true);
    else if (bits === 16) value = view.getInt16(at, true) / fullScale;
    else if (bits === 32) value = view.getInt32(at, true) / fullScale;
    else {
      const raw = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
      value = raw / fullScale;
    }
    if (!Number.isFinite(value)) throw new RecordingError(`WAV sample ${i} is not finite`);
    samples[i] = value;
  }
  return { samples, rateHz };
}

/**
 * Each `--replay` file read once (several sensors may play the same one) and attached to the
 * sensors that play it. A WAV recorded at another rate than its sensor's is refused, naming
 * both: replaying it at the sensor's rate would shift every frequency in it.
 */
export function loadReplays(specs: readonly SensorSpec[]): SensorSpec[] {
  const cache = new Map<string, Recording>();
  return specs.map((spec) => {
    const replay = spec.machine?.replay;
    if (replay === undefined) return spec;
    const loaded = replay.map((segment) => {
      let recording = cache.get(segment.file);
      if (recording === undefined) {
        try {
          recording = loadRecording(segment.file);
        } catch (error) {
          if (!(error instanceof RecordingError)) throw error;
          throw new RecordingError(`--replay ${error.message}`, { cause: error });
        }
        cache.set(segment.file, recording);
      }
      if (recording.rateHz !== undefined && recording.rateHz !== spec.sampleRateHz) {
        throw new RecordingError(
          `--replay ${segment.file} is recorded at ${recording.rateHz} Hz but sensor ` +
            `${spec.serial} samples at ${spec.sampleRateHz} Hz; give the sensor that rate`,
        );
      }
      return { ...segment, recording };
    });
    return { ...spec, machine: { ...spec.machine, replay: loaded } };
  });
}
