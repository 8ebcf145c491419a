import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../internal/telemetry/index.js';
import { SimulatedSensor } from './device.js';
import type { SensorCounters } from './sensor-counters.js';
import { registerSimulationMetrics } from './metrics.js';
import { PER_SENSOR_LIMIT, progressRecord } from './progress.js';
import { buildSummary, writeSummaryFile } from './summary.js';

const logger = createLogger('test', 'silent');

/** A sensor that never powers on, with counters as a run left them. */
function sensor(serial: string, counters: Partial<SensorCounters> = {}): SimulatedSensor {
  const s = new SimulatedSensor({
    spec: { serial, sampleRateHz: 100, mount: 'fixed' },
    mqttUrl: 'mqtt://127.0.0.1:1',
    password: 'x',
    logger,
    batchIntervalMs: 1000,
    bufferBatches: 10,
    heartbeatMs: 10_000,
  });
  Object.assign(s.counters, counters);
  return s;
}

const ran = {
  batchesMeasured: 5,
  batchesConfirmed: 4,
  samplesMeasured: 500,
  samplesConfirmed: 400,
  samplesDropped: 100,
  batchesDropped: 1,
  locationsConfirmed: 1,
  logsConfirmed: 9,
  commandsApplied: 3,
  commandsRejected: 1,
  commandsExpired: 2,
  firstSequence: 1_795_385_576_585_000,
  lastSequence: 1_795_385_576_585_004,
};

describe('summary', () => {
  it('lists every sensor and adds them up', () => {
    const summary = buildSummary([sensor('A-1', ran), sensor('B-2')]);
    expect(summary).toEqual({
      sensors: [
        {
          serial: 'A-1',
          sampleRateHz: 100,
          firstSequence: 1_795_385_576_585_000,
          lastSequence: 1_795_385_576_585_004,
          batchesMeasured: 5,
          batchesConfirmed: 4,
          samplesMeasured: 500,
          samplesConfirmed: 400,
          samplesDropped: 100,
          locationsConfirmed: 1,
          logsConfirmed: 9,
          commandsApplied: 3,
          commandsRejected: 1,
          commandsExpired: 2,
        },
        {
          serial: 'B-2',
          sampleRateHz: 100,
          firstSequence: null,
          lastSequence: null,
          batchesMeasured: 0,
          batchesConfirmed: 0,
          samplesMeasured: 0,
          samplesConfirmed: 0,
          samplesDropped: 0,
          locationsConfirmed: 0,
          logsConfirmed: 0,
          commandsApplied: 0,
          commandsRejected: 0,
          commandsExpired: 0,
        },
      ],
      totals: {
        sensors: 2,
        batchesMeasured: 5,
        batchesConfirmed: 4,
        samplesMeasured: 500,
        samplesConfirmed: 400,
        samplesDropped: 100,
        locationsConfirmed: 1,
        logsConfirmed: 9,
        commandsApplied: 3,
        commandsRejected: 1,
        commandsExpired: 2,
      },
    });
  });

  describe('file', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'summary-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('is written whole, replacing an old one, with no temp file left', async () => {
      const file = path.join(dir, 'summary.json');
      await writeSummaryFile(file, buildSummary([sensor('A-1')]));
      const summary = buildSummary([sensor('A-1', ran)]);
      await writeSummaryFile(file, summary);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(summary);
      expect(await readdir(dir)).toEqual(['summary.json']);
    });

    it('fails without leaving a temp file when the directory is missing', async () => {
      const file = path.join(dir, 'missing', 'summary.json');
      await expect(writeSummaryFile(file, buildSummary([]))).rejects.toThrow(/ENOENT/);
      expect(await readdir(dir)).toEqual([]);
    });
  });
});

describe('metrics', () => {
  it('exports each sensor’s counters at scrape time', async () => {
    const sensors = [sensor('A-1', ran), sensor('B-2')];
    const registry = new Registry();
    registerSimulationMetrics(registry, () => sensors);
    let text = await registry.metrics();
    expect(text).toContain('iot_sim_samples_confirmed_total{serial="A-1"} 400');
    expect(text).toContain('iot_sim_samples_confirmed_total{serial="B-2"} 0');
    expect(text).toContain('iot_sim_batches_dropped_total{serial="A-1"} 1');
    expect(text).toContain('iot_sim_logs_confirmed_total{serial="A-1"} 9');
    expect(text).toContain('iot_sim_commands_applied_total{serial="A-1"} 3');
    expect(text).toContain('iot_sim_commands_rejected_total{serial="A-1"} 1');
    expect(text).toContain('iot_sim_commands_expired_total{serial="A-1"} 2');
    expect(text).toContain('iot_sim_connected{serial="A-1"} 0');
    expect(text).toContain('iot_sim_outbox_batches{serial="A-1"} 0');
    Object.assign(sensors[1]?.counters ?? {}, { samplesConfirmed: 250 });
    text = await registry.metrics();
    expect(text).toContain('iot_sim_samples_confirmed_total{serial="B-2"} 250');
  });
});

describe('progress', () => {
  it.each([
    [1, true],
    [PER_SENSOR_LIMIT, true],
    [PER_SENSOR_LIMIT + 1, false],
  ])('%d sensors: per-sensor rows %s', (count, perSensor) => {
    const sensors = Array.from({ length: count }, (_, i) => sensor(`S-${i}`, ran));
    const record = progressRecord(sensors);
    expect(record.totals).toMatchObject({
      sensors: count,
      connected: 0,
      batchesConfirmed: 4 * count,
      samplesDropped: 100 * count,
    });
    expect('sensors' in record).toBe(perSensor);
  });
});
