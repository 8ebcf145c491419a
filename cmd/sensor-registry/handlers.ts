// Enrolls sensors from their registration messages: an unknown serial becomes a sensor of the
// organization it was onboarded for (iotctl create sensor), or else of the default one; a
// known one gets its reported sample frequency, state and firmware updated (a device
// announces itself on boot and on every reconnect).
// One upsert per message, so a repeated registration never duplicates a sensor.
import type pg from 'pg';
import { ack, type Handler } from '../../internal/pubsub/index.js';
import { registrationCodec } from '../../internal/routing/index.js';
import { decodeDeviceMessage, isOutcome } from '../../internal/sensorlogic/index.js';
import type { Logger } from '../../internal/telemetry/index.js';
import { validateRegistration } from '../../internal/validation/index.js';
import { reportTime } from '../../internal/storage/index.js';

export interface RegistryDeps {
  pool: pg.Pool;
  logger: Logger;
  onEnrolled?: (serial: string, isNew: boolean) => void;
}

// Undated (older firmware) or not older than what is stored.
const NEWER_REPORT = `(EXCLUDED.reported_at IS NULL OR sensor.reported_at IS NULL
                       OR EXCLUDED.reported_at >= sensor.reported_at)`;

export function createRegistrationHandler({ pool, logger, onEnrolled }: RegistryDeps): Handler {
  return async (delivery) => {
    const registration = decodeDeviceMessage(delivery, (bytes) =>
      validateRegistration(registrationCodec.decode(bytes)),
    );
    if (isOutcome(registration)) return registration;
    const { rows } = await pool.query<{ inserted: boolean }>(
      // A device onboarded through iot-api (device_credential) enrols into its organization
      // and onto its target; any other into the default organization.
      // The settings it reports replace the stored ones unless an ack the device sent after
      // this announcement was stored first (reported_at, migration 0020).
      `INSERT INTO sensor (serial_number, organization_id, target_id, sample_frequency, firmware_version, state, last_seen, reported_at)
       SELECT $1, COALESCE(d.organization_id, (SELECT id FROM organization WHERE name = 'default')),
              d.target_id, $2, NULLIF($3, ''), $4, now(), $5
       FROM (SELECT 1) AS one LEFT JOIN device_credential d ON d.serial_number = $1
       ON CONFLICT (serial_number) DO UPDATE
         SET sample_frequency = CASE WHEN ${NEWER_REPORT} THEN EXCLUDED.sample_frequency
                                     ELSE sensor.sample_frequency END,
             state = CASE WHEN ${NEWER_REPORT} THEN EXCLUDED.state ELSE sensor.state END,
             firmware_version = COALESCE(EXCLUDED.firmware_version, sensor.firmware_version),
             reported_at = GREATEST(sensor.reported_at, EXCLUDED.reported_at),
             last_seen = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        registration.serial,
        registration.sampleFrequencyHz,
        registration.firmwareVersion,
        // Firmware from before commands does not report its state; it never sleeps.
        registration.state || 'awake',
        reportTime(registration.reportedAtMs),
      ],
    );
    const isNew = rows[0]?.inserted === true;
    logger.info(
      {
        serial: registration.serial,
        hz: registration.sampleFrequencyHz,
        mount: registration.mount,
      },
      isNew ? 'sensor enrolled' : 'sensor re-registered',
    );
    onEnrolled?.(registration.serial, isNew);
    return ack();
  };
}
