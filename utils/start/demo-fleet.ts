// The demo the README promises: two fixed machines and one vehicle, a sensor on each, every
// target with its machine's real parameters, and each simulated sensor measuring that same
// machine (the simulator's --rpm/--bearing after its --sensor), so the analytics service sees
// what it is told to expect. The compressor's outer race starts to fail two minutes in.
import type pg from 'pg';

interface Bearing {
  balls: number;
  ballMm: number;
  pitchMm: number;
  angleDeg: number;
}

export interface DemoSensor {
  serial: string;
  hz: number;
  mount: 'fixed' | 'mobile';
  target: string;
  machine: {
    rpm: number;
    bearing: Bearing | null;
    isoClass: string;
    /** The simulator's --fault, if the demo shows one. */
    fault?: string;
  };
}

/** SKF 6205 (deep-groove, 25 mm bore): the CWRU test rig's drive-end bearing. */
const SKF_6205: Bearing = { balls: 9, ballMm: 7.94, pitchMm: 39.04, angleDeg: 0 };
/** SKF 6309 (deep-groove, 45 mm bore): a 55 kW motor's drive end. */
const SKF_6309: Bearing = { balls: 8, ballMm: 17.46, pitchMm: 72.5, angleDeg: 0 };

/** Seconds after start when the demo compressor's bearing fault appears. */
const DEMO_FAULT_ONSET_S = 120;

export const DEMO_SENSORS: readonly DemoSensor[] = [
  {
    // A 4-pole motor driving a press line, 15–300 kW on a rigid foundation. 6.4 kHz: envelope
    // analysis (bearing defects) needs 3.2 kHz or more.
    serial: 'AAD-1123',
    hz: 6400,
    mount: 'fixed',
    target: 'press-line-1',
    machine: { rpm: 1480, bearing: SKF_6205, isoClass: 'group2-rigid' },
  },
  {
    // A 2-pole screw-compressor motor, 55 kW, rigidly mounted; its outer race starts to fail.
    serial: 'AAD-1124',
    hz: 3200,
    mount: 'fixed',
    target: 'compressor-2',
    machine: {
      rpm: 2975,
      bearing: SKF_6309,
      isoClass: 'group2-rigid',
      fault: `bearing-outer@${DEMO_FAULT_ONSET_S}:0.5`,
    },
  },
  {
    // A truck's diesel at cruising speed, on flexible (rubber) mounts; no bearing is modelled.
    serial: 'TRK-0007',
    hz: 200,
    mount: 'mobile',
    target: 'truck-7',
    machine: { rpm: 1500, bearing: null, isoClass: 'group2-flexible' },
  },
];

/** The simulator's flags for the demo sensors: each --sensor followed by its machine. */
export function demoSimulatorArgs(sensors: readonly DemoSensor[] = DEMO_SENSORS): string[] {
  return sensors.flatMap(({ serial, hz, mount, machine }) => [
    `--sensor=${serial}:${hz}:${mount}`,
    `--rpm=${machine.rpm}`,
    ...(machine.bearing
      ? [
          `--bearing=balls=${machine.bearing.balls},ball-mm=${machine.bearing.ballMm},` +
            `pitch-mm=${machine.bearing.pitchMm},angle=${machine.bearing.angleDeg}`,
        ]
      : []),
    ...(machine.fault ? [`--fault=${machine.fault}`] : []),
  ]);
}

/**
 * Creates the targets with their parameters and controller, enrolls each sensor on its target,
 * and has the compressor's bearing-fault rule reduce its speed (idempotent).
 */
export async function createDemoFleet(pool: pg.Pool, controllerAddress: string): Promise<void> {
  for (const sensor of DEMO_SENSORS) {
    const { rpm, bearing, isoClass } = sensor.machine;
    await pool.query(
      `INSERT INTO target (organization_id, name, kind, rpm, bearing_balls, bearing_ball_mm,
         bearing_pitch_mm, bearing_angle_deg, iso_class, controller_address)
       VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, $2, $3, $4, $5, $6, $7, $8,
         $9)
       ON CONFLICT (organization_id, name) DO UPDATE SET
         rpm = EXCLUDED.rpm, bearing_balls = EXCLUDED.bearing_balls,
         bearing_ball_mm = EXCLUDED.bearing_ball_mm, bearing_pitch_mm = EXCLUDED.bearing_pitch_mm,
         bearing_angle_deg = EXCLUDED.bearing_angle_deg, iso_class = EXCLUDED.iso_class,
         controller_address = EXCLUDED.controller_address`,
      [
        sensor.target,
        sensor.mount,
        rpm,
        bearing?.balls ?? null,
        bearing?.ballMm ?? null,
        bearing?.pitchMm ?? null,
        bearing?.angleDeg ?? null,
        isoClass,
        controllerAddress,
      ],
    );
    if (sensor.machine.fault?.startsWith('bearing')) {
      await pool.query(
        `INSERT INTO alarm_rule (target_id, rule, action)
         SELECT id, 'bearing-fault', 'reduce-speed' FROM target
          WHERE name = $1 AND organization_id = (SELECT id FROM organization WHERE name = 'default')
         ON CONFLICT (target_id, rule) DO NOTHING`,
        [sensor.target],
      );
    }
    await pool.query(
      `INSERT INTO sensor (serial_number, organization_id, sample_frequency, target_id)
       SELECT $1, t.organization_id, $2, t.id FROM target t
        WHERE t.name = $3 AND t.organization_id = (SELECT id FROM organization WHERE name = 'default')
       ON CONFLICT (serial_number) DO UPDATE SET target_id = EXCLUDED.target_id`,
      [sensor.serial, sensor.hz, sensor.target],
    );
  }
}
