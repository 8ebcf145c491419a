// Onboarding a real device end to end: the real iotctl process prints credentials, a real MQTT
// client connects with them, the real sensor-registry enrols the device into the admin's
// organization on the given target; rotating and deleting revoke at once (the open
// connection is closed, the old password refused, the session queue gone).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultConfigPath, writeContext } from '../../internal/iotctl-config/index.js';
import type { MqttClient } from '../../internal/pubsub/index.js';
import {
  deviceTopic,
  mqttSubscriptionQueue,
  registrationCodec,
} from '../../internal/routing/index.js';
import { deviceLogin, mqttCa, rabbitAdmin, required } from '../../utils/test/brokers.js';
import { uniqueSerial } from '../../utils/test/database.js';
import { iotctlJson, runIotctl } from '../../utils/test/iotctl.js';
import { startService, type ServiceProcess } from '../../utils/test/processes.js';
import { stackEnv } from '../../utils/test/stack-env.js';
import type { DeviceCredentials, Sensor } from './api-types.js';

const env = stackEnv();
let api: ServiceProcess;
let registry: ServiceProcess;
let home: string;

beforeAll(async () => {
  api = await startService('iot-api', { https: true });
  registry = await startService('sensor-registry');
  home = mkdtempSync(join(tmpdir(), 'iotctl-onboard-'));
  await writeContext(
    defaultConfigPath({ XDG_CONFIG_HOME: home }),
    'it',
    {
      api: `https://localhost:${api.httpPort}`,
      ca: readFileSync(required(env, 'IOT_TLS_CA_FILE'), 'utf8'),
    },
    { makeCurrent: true },
  );
  const login = await runIotctl(
    home,
    ['login', required(env, 'IOT_ADMIN_USERNAME'), '--password-stdin'],
    required(env, 'IOT_ADMIN_PASSWORD'),
  );
  expect(login.code, login.stderr).toBe(0);
});

afterAll(async () => {
  await registry?.stop();
  await api?.stop();
});

/** A device's connection: no automatic reconnect, so a close stays closed. */
function connect(
  credentials: Pick<DeviceCredentials, 'mqttUrl' | 'username' | 'clientId' | 'password'>,
) {
  return deviceLogin({ ...credentials, url: credentials.mqttUrl! });
}

/**
 * Resolves once the broker closed the client. Revocation closes connections within the
 * management API's listing delay (RabbitAdmin.closeUserConnections); 30 s is far past it.
 */
function closed(client: MqttClient, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    client.onClose(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The whole onboarding story runs about a dozen real iotctl processes (each starts Node and
 * tsx: seconds apiece on a busy machine) and three broker logins: about two minutes there.
 */
const ONBOARDING_TEST_TIMEOUT_MS = 300_000;

describe('iotctl create sensor / rotate-credentials / delete sensor', () => {
  it(
    'onboards, enrols on the target, rotates and revokes at once',
    async () => {
      const serial = uniqueSerial('ONB');
      const target = uniqueSerial('line');
      expect((await runIotctl(home, ['create', 'target', target])).code).toBe(0);

      // Shown once, in the text form a field engineer reads.
      const text = await runIotctl(home, ['create', 'sensor', serial, '--target', target]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(new RegExp(`^username:  ${serial}$`, 'm'));
      expect(text.stdout).toMatch(/^password:  \S{32}$/m);
      expect(text.stdout).toContain('-----BEGIN CERTIFICATE-----');
      expect(text.stderr).toContain('shown only this once');
      const password = /^password: {2}(\S+)$/m.exec(text.stdout)![1]!;
      const first = {
        mqttUrl: /^mqtt: +(\S+)$/m.exec(text.stdout)![1]!,
        username: serial,
        clientId: serial,
        password,
      };

      // The same serial again is a conflict, in any form.
      const again = await runIotctl(home, ['create', 'sensor', serial]);
      expect(again.code).toBe(1);

      // The device connects, keeps a command session, registers; the registry enrols it.
      const device = await connect(first);
      await device.subscribe(deviceTopic(serial, 'commands'));
      await device.publish(
        deviceTopic(serial, 'registry'),
        registrationCodec.encode({
          serial,
          sampleFrequencyHz: 1000,
          firmwareVersion: '1.0.0',
          mount: 'fixed',
          bootedAtMs: Date.now(),
          reportedAtMs: Date.now(),
          state: 'awake',
        }),
      );
      const sensor = await until('enrolment', async () => {
        const res = await runIotctl(home, ['get', 'sensor', serial, '-o', 'json']);
        return res.code === 0 ? (JSON.parse(res.stdout) as Sensor) : undefined;
      });
      expect(sensor.target).toBe(target);

      // Rotation: the open connection is closed, the old password refused, the new one works.
      const rotated = await iotctlJson<DeviceCredentials>(home, ['rotate-credentials', serial]);
      expect(rotated.password).not.toBe(password);
      // The CA printed is the one that signed the broker's certificate, and the URL is TLS.
      expect(rotated.ca).toBe(mqttCa());
      expect(rotated.mqttUrl).toMatch(/^mqtts:\/\//);
      await closed(device);
      await expect(connect(first)).rejects.toThrow(/Not authorized|Bad username or password/);
      const second = await connect(rotated);
      await second.subscribe(deviceTopic(serial, 'commands'));
      const admin = rabbitAdmin();
      // The management API's queue statistics are refreshed every few seconds
      // (collect_statistics_interval), so the new consumer shows up there a little later.
      await vi.waitFor(
        async () =>
          expect((await admin.queueStats(mqttSubscriptionQueue(serial))).consumers).toBe(1),
        { timeout: 30_000, interval: 500 },
      );

      // Deletion: connection closed, login refused, the session queue gone.
      const deleted = await runIotctl(home, ['delete', 'sensor', serial, '--yes']);
      expect(deleted.code, deleted.stderr).toBe(0);
      await closed(second);
      await expect(connect(rotated)).rejects.toThrow(/Not authorized|Bad username or password/);
      await expect(admin.queueStats(mqttSubscriptionQueue(serial))).rejects.toThrow(/404/);
      expect((await runIotctl(home, ['get', 'sensor', serial])).code).toBe(1);
    },
    ONBOARDING_TEST_TIMEOUT_MS,
  );

  it('a bad serial is a usage error', async () => {
    const bad = await runIotctl(home, ['create', 'sensor', 'AAD.1']);
    expect(bad.code).toBe(2);
  });
});
