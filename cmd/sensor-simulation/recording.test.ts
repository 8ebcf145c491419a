import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SensorSpec } from './device.js';
import { RecordingError, loadRecording, loadReplays, parseF32 } from './recording.js';

const dir = mkdtempSync(path.join(tmpdir(), 'iot-recording-'));

function f32Bytes(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

/** A WAV as a recorder writes it: RIFF, a LIST chunk to skip, fmt, data (frames interleaved). */
function wav(options: {
  format: number;
  bits: number;
  rateHz: number;
  channels: number[][];
  extensible?: boolean;
}): Buffer {
  const { bits, rateHz, channels } = options;
  const bytesPerSample = bits / 8;
  const frames = channels[0]?.length ?? 0;
  const data = Buffer.alloc(frames * channels.length * bytesPerSample);
  for (let i = 0; i < frames; i++) {
    channels.forEach((channel, c) => {
      const at = (i * channels.length + c) * bytesPerSample;
      const v = channel[i] ?? 0;
      if (options.format === 3 && bits === 32) data.writeFloatLE(v, at);
      else if (options.format === 3)
        return; // unsupported widths: zeros are enough
      else if (bits === 16) data.writeInt16LE(Math.round(v * 2 ** 15), at);
      else if (bits === 24) data.writeIntLE(Math.round(v * 2 ** 23), at, 3);
      else if (bits === 32) data.writeInt32LE(Math.round(v * 2 ** 31), at);
    });
  }
  const fmt = Buffer.alloc(options.extensible ? 40 : 16);
  fmt.writeUInt16LE(options.extensible ? 0xfffe : options.format, 0);
  fmt.writeUInt16LE(channels.length, 2);
  fmt.writeUInt32LE(rateHz, 4);
  fmt.writeUInt32LE(rateHz * channels.length * bytesPerSample, 8);
  fmt.writeUInt16LE(channels.length * bytesPerSample, 12);
  fmt.writeUInt16LE(bits, 14);
  if (options.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(options.format, 24);
  }
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE', 'latin1'),
    chunk('LIST', Buffer.from('INFOabc', 'latin1')), // odd length: padded
    chunk('fmt ', fmt),
    chunk('data', data),
  ]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const VALUES = [0, 0.5, -0.5, 0.25, -1];

describe('recordings', () => {
  it('reads raw little-endian float32 in g, with no rate', () => {
    const file = write('a.f32', f32Bytes([0.125, -2.5, 3e-3]));
    const { samples, rateHz } = loadRecording(file);
    expect([...samples]).toEqual([0.125, -2.5, Math.fround(3e-3)]);
    expect(rateHz).toBeUndefined();
  });

  it.each([
    ['empty', Buffer.alloc(0), /is empty/],
    ['not whole samples', Buffer.alloc(7), /7 bytes is not a whole number/],
    ['NaN', f32Bytes([1, NaN]), /sample 1 is not a finite number/],
  ])('refuses a .f32 that is %s', (_name, bytes, message) => {
    expect(() => parseF32(bytes)).toThrow(message);
  });

  it.each([
    ['PCM 16-bit', 1, 16, 1 / 2 ** 15],
    ['PCM 24-bit', 1, 24, 1 / 2 ** 23],
    ['PCM 32-bit', 1, 32, 1 / 2 ** 31],
    ['float32', 3, 32, 0],
  ])(
    'reads WAV %s: first channel, full scale as ±1 g, the rate from the header',
    (_n, format, bits, lsb) => {
      const file = write(
        `w${format}-${bits}.wav`,
        wav({
          format,
          bits,
          rateHz: 12_000,
          channels: [VALUES, VALUES.map(() => 0.9)],
        }),
      );
      const { samples, rateHz } = loadRecording(file);
      expect(rateHz).toBe(12_000);
      expect(samples).toHaveLength(VALUES.length);
      samples.forEach((v, i) => expect(Math.abs(v - (VALUES[i] ?? NaN))).toBeLessThanOrEqual(lsb));
    },
  );

  it('reads a WAVE_FORMAT_EXTENSIBLE header by its sub-format', () => {
    const file = write(
      'ext.wav',
      wav({ format: 1, bits: 16, rateHz: 8000, channels: [VALUES], extensible: true }),
    );
    expect(loadRecording(file).rateHz).toBe(8000);
  });

  it.each([
    ['8-bit PCM', wav({ format: 1, bits: 8, rateHz: 8000, channels: [VALUES] }), /not supported/],
    [
      '64-bit float',
      wav({ format: 3, bits: 64, rateHz: 8000, channels: [VALUES] }),
      /not supported/,
    ],
    ['no samples', wav({ format: 1, bits: 16, rateHz: 8000, channels: [[]] }), /no samples/],
    ['no fmt chunk', Buffer.from('RIFF\x04\x00\x00\x00WAVE', 'latin1'), /no fmt chunk/],
  ])('refuses a WAV with %s, naming the file', (name, bytes, message) => {
    const file = write(`${name.replace(/\W/g, '')}.wav`, bytes);
    expect(() => loadRecording(file)).toThrow(message);
    expect(() => loadRecording(file)).toThrow(file);
  });

  it('names a file it cannot read', () => {
    expect(() => loadRecording(path.join(dir, 'missing.f32'))).toThrow(/missing\.f32 \(ENOENT\)/);
  });

  describe('loadReplays', () => {
    const spec = (file: string, hz = 12_000): SensorSpec => ({
      serial: 'R-1',
      sampleRateHz: hz,
      mount: 'fixed',
      machine: { replay: [{ file, seconds: undefined }] },
    });

    it('attaches each file once to the sensors that play it, leaving the others alone', () => {
      const file = write('shared.f32', f32Bytes(VALUES));
      const plain: SensorSpec = { serial: 'P-1', sampleRateHz: 100, mount: 'fixed' };
      const [a, b, c] = loadReplays([spec(file), { ...spec(file), serial: 'R-2' }, plain]);
      const recording = a?.machine?.replay?.[0]?.recording;
      expect(recording?.samples).toHaveLength(VALUES.length);
      expect(b?.machine?.replay?.[0]?.recording).toBe(recording);
      expect(c).toEqual(plain);
    });

    it('refuses a WAV recorded at another rate than its sensor, naming both', () => {
      const file = write('8k.wav', wav({ format: 1, bits: 16, rateHz: 8000, channels: [VALUES] }));
      expect(() => loadReplays([spec(file, 12_000)])).toThrow(
        `--replay ${file} is recorded at 8000 Hz but sensor R-1 samples at 12000 Hz`,
      );
      expect(loadReplays([spec(file, 8000)])).toHaveLength(1);
    });

    it('names the flag and the file when one cannot be read', () => {
      const missing = path.join(dir, 'nope.f32');
      expect(() => loadReplays([spec(missing)])).toThrow(RecordingError);
      expect(() => loadReplays([spec(missing)])).toThrow(`--replay cannot read ${missing}`);
    });
  });
});
