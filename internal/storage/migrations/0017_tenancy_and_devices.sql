-- Why this file exists: organizations that do not see each other, and devices onboarded by
-- an operator (issue 15).
--
-- Usernames are unique per organization, not across all of them: a 409 must not tell one
-- organization that another has an account of that name. Login names the organization
-- (API.md); without one it is the 'default' organization's.
ALTER TABLE account DROP CONSTRAINT account_username_key;
ALTER TABLE account ADD CONSTRAINT account_organization_username_key
  UNIQUE (organization_id, username);

-- A platform administrator creates organizations and their first admins. The configured
-- first admin (IOT_ADMIN_USERNAME) is one; iot-api sets the flag at start-up.
ALTER TABLE account ADD COLUMN platform_admin boolean NOT NULL DEFAULT false;

-- A device's firmware version is a short identifier (internal/validation bounds.ts); a longer
-- one stored before this bound existed is cut to it.
UPDATE sensor SET firmware_version = left(firmware_version, 64)
  WHERE char_length(firmware_version) > 64;
ALTER TABLE sensor ADD CONSTRAINT sensor_firmware_version_length
  CHECK (char_length(firmware_version) <= 64);

-- A device onboarded with `iotctl create sensor`: its broker user exists (the password only
-- the operator was shown), and when it first registers, the registry enrols it into this
-- organization, on this target. Serials are broker usernames, so unique across
-- organizations, like sensor.serial_number. Deleted with the sensor.
CREATE TABLE device_credential (
  serial_number   text        PRIMARY KEY
    CONSTRAINT device_credential_serial_format
    CHECK (serial_number ~ '^[A-Za-z0-9-]{1,32}$' AND serial_number ~ '[A-Za-z]'),
  organization_id bigint      NOT NULL REFERENCES organization (id),
  target_id       bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  rotated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, target_id)
    REFERENCES target (organization_id, id) ON DELETE SET NULL (target_id)
);
