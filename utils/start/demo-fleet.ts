// The demo the README promises: two fixed machines and one vehicle, a sensor on each.
import type pg from 'pg';

export interface DemoSensor {
  serial: string;
  hz: number;
  mount: 'fixed' | 'mobile';
  target: string;
}

export const DEMO_SENSORS: readonly DemoSensor[] = [
  { serial: 'AAD-1123', hz: 1000, mount: 'fixed', target: 'press-line-1' },
  { serial: 'AAD-1124', hz: 500, mount: 'fixed', target: 'compressor-2' },
  { serial: 'TRK-0007', hz: 200, mount: 'mobile', target: 'truck-7' },
];

/** Creates the targets and enrolls each sensor on its target (idempotent). */
export async function createDemoFleet(pool: pg.Pool): Promise<void> {
  for (const sensor of DEMO_SENSORS) {
    await pool.query(
      `INSERT INTO target (organization_id, name, kind)
       VALUES ((SELECT id FROM organization WHERE name = 'default'), $1, $2)
       ON CONFLICT (organization_id, name) DO NOTHING`,
      [sensor.target, sensor.mount],
    );
    await pool.query(
      `INSERT INTO sensor (serial_number, organization_id, sample_frequency, target_id)
       SELECT $1, t.organization_id, $2, t.id FROM target t
        WHERE t.name = $3 AND t.organization_id = (SELECT id FROM organization WHERE name = 'default')
       ON CONFLICT (serial_number) DO UPDATE SET target_id = EXCLUDED.target_id`,
      [sensor.serial, sensor.hz, sensor.target],
    );
  }
}
