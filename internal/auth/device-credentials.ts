// Each device has its own broker credentials: username = serial, password derived from the
// platform's device secret, as a factory would burn a per-device key derived from a master key.
// Provisioning (creating the broker user) and the device itself compute the same password, so
// no password list is ever stored, and one leaked device password exposes only that device.
import { createHmac, randomBytes } from 'node:crypto';

export function devicePassword(deviceSecret: string, serial: string): string {
  return createHmac('sha256', deviceSecret).update(`mqtt:${serial}`).digest('base64url');
}

/** Random bytes in a password iot-api issues to a device: 192 bits, beyond any guessing. */
const ISSUED_PASSWORD_BYTES = 24;

/**
 * A password for a device onboarded with `iotctl create sensor` (or rotated): random, shown
 * to the operator once and stored nowhere but in the broker's own (hashed) user database.
 */
export function issueDevicePassword(): string {
  return randomBytes(ISSUED_PASSWORD_BYTES).toString('base64url');
}
