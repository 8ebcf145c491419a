// A device can neither knock another offline nor use its credentials outside MQTT, against
// the stack's real RabbitMQ and broker-auth. Without broker-auth, RabbitMQ would log the
// attacker in and then disconnect the victim holding the client id ("duplicate id").
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDevicePassword } from '../../internal/auth/index.js';
import { brokerAddresses, type MqttClient } from '../../internal/pubsub/index.js';
import { deviceTopic } from '../../internal/routing/index.js';
import { deviceLogin, rabbitAdmin, required } from '../../utils/test/brokers.js';
import { uniqueSerial } from '../../utils/test/database.js';
import { stackEnv } from '../../utils/test/stack-env.js';

const env = stackEnv();
const admin = rabbitAdmin();
const victim = { serial: uniqueSerial('VIC'), password: issueDevicePassword() };
const attacker = { serial: uniqueSerial('ATK'), password: issueDevicePassword() };
let victimClient: MqttClient;
let victimClosed = false;

const mqttLogin = (username: string, password: string, clientId: string, clean = false) =>
  deviceLogin({ username, password, clientId, clean });

/** The victim's connection answers a round trip: a SUBACK on its own command topic. */
async function victimAnswers(): Promise<void> {
  await victimClient.subscribe(deviceTopic(victim.serial, 'commands'));
  expect(victimClosed).toBe(false);
}

beforeAll(async () => {
  await admin.ensureDeviceUser(victim.serial, victim.password);
  await admin.ensureDeviceUser(attacker.serial, attacker.password);
  victimClient = await mqttLogin(victim.serial, victim.password, victim.serial);
  victimClient.onClose(() => (victimClosed = true));
});

afterAll(async () => {
  await victimClient?.close(true);
  await admin.deleteDevice(victim.serial);
  await admin.deleteDevice(attacker.serial);
});

describe('a device is only ever its own MQTT client', () => {
  it('refuses another device taking the victim’s client id, and the victim stays connected', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(
        mqttLogin(attacker.serial, attacker.password, victim.serial),
      ).rejects.toMatchObject({ code: 5 }); // CONNACK 5: not authorized
      await victimAnswers();
    }
  });

  it('refuses a device with no client id (the broker would make one up), even with a clean session', async () => {
    await expect(mqttLogin(attacker.serial, attacker.password, '', true)).rejects.toMatchObject({
      code: 5,
    });
    await victimAnswers();
  });

  it('lets the attacker be itself', async () => {
    const own = await mqttLogin(attacker.serial, attacker.password, attacker.serial, true);
    expect(own.connected).toBe(true);
    await own.close();
    await victimAnswers();
  });

  it('refuses device credentials over AMQP, whatever the client says', async () => {
    for (const address of brokerAddresses(required(env, 'IOT_AMQP_URL')).slice(0, 1)) {
      const url = new URL(address);
      url.username = encodeURIComponent(victim.serial);
      url.password = encodeURIComponent(victim.password);
      await expect(
        amqplib.connect(url.toString(), { clientProperties: { client_id: victim.serial } }),
        // The password is right (the MQTT login above used it): the vhost is refused, so the
        // broker answers connection.open with connection.close (530 NOT_ALLOWED).
      ).rejects.toThrow(/got <ConnectionClose|NOT_ALLOWED/);
    }
    await victimAnswers();
  });
});
