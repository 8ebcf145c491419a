import { describe, expect, it } from 'vitest';
import { analyzeWindow } from './analyze-window.js';
import type { DiagnosisKind } from './diagnosis.js';
import type { BearingGeometry, MachineParameters } from './machine.js';
import {
  synthesizeMachineSignal,
  type SyntheticFaultKind,
  type SyntheticMachine,
} from './synthesize-machine-signal.js';

const SKF_6205: BearingGeometry = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };
const RPM = 1480;
const MACHINE: MachineParameters = { rpm: RPM, bearing: SKF_6205, isoClass: 'II' };

const EXPECTED: Record<SyntheticFaultKind | 'healthy', DiagnosisKind | null> = {
  healthy: null,
  imbalance: 'imbalance',
  misalignment: 'misalignment',
  looseness: 'looseness',
  'bearing-outer': 'bearing_outer_race',
  'bearing-inner': 'bearing_inner_race',
  dead: 'sensor_fault',
};

const ROTOR = new Set<string>(['imbalance', 'misalignment', 'looseness']);
const BEARING = new Set<string>(['bearing-outer', 'bearing-inner']);

/**
 * What a rate can see, for this 1480 rpm machine (fr = 24.7 Hz):
 * - rotor faults need 1× and 2× inside the analysis bandwidth fs/2.56 (2× = 49 Hz: from
 *   ~130 samples/s), looseness its harmonics up to 10× (247 Hz: from ~630 samples/s);
 * - bearing faults need envelope analysis, a 2.5:1 band above 500 Hz: from 3.2 kHz;
 * - a dead sensor is seen at any rate.
 */
function visible(kind: SyntheticFaultKind | 'healthy', rateHz: number): boolean {
  if (ROTOR.has(kind)) return rateHz / 2.56 > 10 * (RPM / 60);
  if (BEARING.has(kind)) return rateHz >= 3200;
  return true;
}

const RATES = [100, 1000, 5000, 12_800, 25_600];
const KINDS = Object.keys(EXPECTED) as (SyntheticFaultKind | 'healthy')[];
const CASES = RATES.flatMap((rate) => KINDS.map((kind) => [rate, kind] as const));

describe('synthetic faults are diagnosed as themselves, where the rate can see them', () => {
  // Half severity (imbalance 5 mm/s at 1×, impacts of 1 g) over 0.02 g of sensor noise;
  // three consecutive windows, each must agree.
  it.each(CASES)('%s samples/s, %s', (rateHz, kind) => {
    const machine: SyntheticMachine = {
      rateHz,
      rpm: RPM,
      bearing: SKF_6205,
      noiseG: 0.02,
      seed: 2024,
      ...(kind === 'healthy' ? {} : { fault: { kind, severity: 0.5 } }),
    };
    const expected = visible(kind, rateHz) ? EXPECTED[kind] : null;
    for (let w = 0; w < 3; w++) {
      const f = analyzeWindow(
        synthesizeMachineSignal(machine, w * rateHz, rateHz),
        rateHz,
        MACHINE,
      );
      expect(f.diagnosis?.kind ?? null, f.diagnosis?.evidence).toBe(expected);
    }
  });

  it.each([1, 2, 3, 4, 5])('a healthy machine stays undiagnosed (seed %s, 12.8 kHz)', (seed) => {
    const machine: SyntheticMachine = {
      rateHz: 12_800,
      rpm: RPM,
      bearing: SKF_6205,
      noiseG: 0.05,
      seed,
    };
    const f = analyzeWindow(synthesizeMachineSignal(machine, 0, 12_800), 12_800, MACHINE);
    expect(f.diagnosis).toBeNull();
  });

  it('makes no rotor diagnosis while the machine is in zone A (a weak imbalance)', () => {
    const machine: SyntheticMachine = {
      ...{ rateHz: 5000, rpm: RPM, noiseG: 0.02, seed: 3 },
      fault: { kind: 'imbalance', severity: 0.03 },
    };
    const f = analyzeWindow(synthesizeMachineSignal(machine, 0, 5000), 5000, MACHINE);
    expect(f.isoZone).toBe('A');
    expect(f.diagnosis).toBeNull();
  });

  it('needs rpm for rotor faults and a bearing for bearing faults', () => {
    const imbalance = synthesizeMachineSignal(
      { rateHz: 5000, rpm: RPM, noiseG: 0.02, seed: 4, fault: { kind: 'imbalance', severity: 1 } },
      0,
      5000,
    );
    expect(analyzeWindow(imbalance, 5000, { isoClass: 'II' }).diagnosis).toBeNull();
    const outer = synthesizeMachineSignal(
      {
        rateHz: 5000,
        rpm: RPM,
        bearing: SKF_6205,
        noiseG: 0.02,
        seed: 4,
        fault: { kind: 'bearing-outer', severity: 1 },
      },
      0,
      5000,
    );
    expect(analyzeWindow(outer, 5000, { rpm: RPM }).diagnosis).toBeNull();
    expect(analyzeWindow(outer, 5000, { rpm: RPM }).defects).toBeNull();
  });
});
