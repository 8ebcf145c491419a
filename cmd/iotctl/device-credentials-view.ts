// A device's credentials as iotctl prints them, once (create sensor, rotate-credentials): what
// a field engineer copies onto the device. The password is on stdout with the rest, so
// `iotctl create sensor S -o json > S.json` keeps them together; nothing is stored.
import type { DeviceCredentials } from './api-types.js';
import type { RunDeps } from './deps.js';
import { writeJson, type OutputFormat } from './output.js';

export function writeDeviceCredentials(
  credentials: DeviceCredentials,
  output: OutputFormat,
  deps: Pick<RunDeps, 'stdout' | 'stderr'>,
): void {
  if (output === 'json') return writeJson(deps.stdout, credentials);
  const lines = [
    `mqtt:      ${credentials.mqttUrl ?? '(ask your operator: the API has no IOT_MQTT_URL)'}`,
    `username:  ${credentials.username}`,
    `client id: ${credentials.clientId}`,
    `password:  ${credentials.password}`,
  ];
  deps.stdout.write(`${lines.join('\n')}\n`);
  if (credentials.ca) deps.stdout.write(`ca:\n${credentials.ca.trimEnd()}\n`);
  deps.stderr.write(
    `the password of ${credentials.serial} is shown only this once: put it on the device now\n`,
  );
}
