// Each device has its own broker credentials: username = serial, password derived from the
// platform's device secret, as a factory would burn a per-device key derived from a master key.
// Provisioning (creating the broker user) and the device itself compute the same password, so
// no password list is ever stored, and one leaked device password exposes only that device.
import { createHmac } from 'node:crypto';

export function devicePassword(deviceSecret: string, serial: string): string {
  return createHmac('sha256', deviceSecret).update(`mqtt:${serial}`).digest('base64url');
}
