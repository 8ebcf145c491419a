import type { FastifyReply } from 'fastify';
import {
  Command,
  CommandBody,
  CommandList,
  IdParams,
  LimitQuery,
  FINAL_STATUSES,
  SerialParams,
  errorReplies,
  type CommandBodyType,
} from '../../../internal/api-contract/index.js';
import { validateSerial } from '../../../internal/validation/index.js';
import type { AppDeps, RouteApp } from '../app.js';
import { ApiError, invalid, notFound } from '../errors.js';
import { MAX_STREAMS_PER_ACCOUNT, StreamQuota } from '../stream-quota.js';
import { getCommand, listCommands, type CommandView } from '../store/commands-store.js';
import { sensorId } from '../store/sensors-store.js';
import { principalOf } from './principal.js';

/** Streams re-read the command this often even without a notification (see command-events). */
const EVENTS_POLL_MS = 5_000;
/** A comment line keeps proxies from closing a quiet stream. */
const EVENTS_KEEPALIVE_MS = 15_000;

export function registerCommandRoutes(api: RouteApp, deps: AppDeps): void {
  const { pool, dispatcher, events } = deps;
  const streamQuota = new StreamQuota();

  api.post(
    '/sensors/:serial/commands',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Ask a sensor to sleep, wake or change its sample rate',
        description:
          'Answers 202 at once. The command is `sent` when the broker has it in the ' +
          "sensor's queue, `queued` while the sensor has no queue (it is sent when the sensor " +
          'next announces itself); the sensor moves it to `applied` or `rejected`, or it ' +
          'becomes `expired`. Follow it with GET /commands/{id}/events.',
        params: SerialParams,
        body: CommandBody,
        response: { 202: Command, ...errorReplies },
      },
    },
    async (request, reply) => {
      const serial = validateSerial(request.params.serial);
      const principal = principalOf(request);
      const sampleFrequencyHz = frequencyOf(request.body);
      const id = await sensorId(pool, principal.organizationId, serial);
      if (!id) throw notFound(`sensor ${serial}`);
      const commandId = await dispatcher.issue({
        sensorId: id,
        type: request.body.type,
        sampleFrequencyHz,
        issuedBy: principal.accountId,
        ttlMs: (request.body.expiresInSeconds ?? deps.commandTtlMs / 1000) * 1000,
      });
      const command = await getCommand(pool, principal.organizationId, commandId);
      if (!command) throw new Error(`command ${commandId} vanished after it was issued`);
      request.log.info({ serial, commandId, type: request.body.type }, 'command issued');
      return reply.status(202).send(command);
    },
  );

  api.get(
    '/sensors/:serial/commands',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "A sensor's commands, newest first",
        params: SerialParams,
        querystring: LimitQuery,
        response: { 200: CommandList, ...errorReplies },
      },
    },
    async (request) => {
      const serial = validateSerial(request.params.serial);
      const id = await sensorId(pool, principalOf(request).organizationId, serial);
      if (!id) throw notFound(`sensor ${serial}`);
      return { items: await listCommands(pool, id, request.query.limit) };
    },
  );

  api.get(
    '/commands/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One command and its history',
        params: IdParams,
        response: { 200: Command, ...errorReplies },
      },
    },
    async (request) => {
      const command = await getCommand(
        pool,
        principalOf(request).organizationId,
        request.params.id,
      );
      if (!command) throw notFound(`command ${request.params.id}`);
      return command;
    },
  );

  api.get(
    '/commands/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Server-sent events: the command now and at every change, until it is final',
        params: IdParams,
        response: {
          200: { content: { 'text/event-stream': { schema: Command } } },
          ...errorReplies,
        },
      },
    },
    async (request, reply) => {
      const { organizationId, accountId } = principalOf(request);
      const read = () => getCommand(pool, organizationId, request.params.id);
      const first = await read();
      if (!first) throw notFound(`command ${request.params.id}`);
      deps.streams.track(reply.raw);
      const release = streamQuota.acquire(accountId);
      if (!release) {
        throw new ApiError(
          'too_many_requests',
          `this account has ${MAX_STREAMS_PER_ACCOUNT} event streams open already; close one`,
        );
      }
      streamCommand(reply, first, read, (onChange) => {
        const unsubscribe = events.subscribe(first.id, onChange);
        return () => {
          unsubscribe();
          release();
        };
      });
    },
  );
}

function frequencyOf(body: CommandBodyType): number | null {
  if (body.type === 'set_sample_frequency') {
    if (body.sampleFrequencyHz === undefined) {
      throw invalid('body.sampleFrequencyHz: is required for set_sample_frequency');
    }
    return body.sampleFrequencyHz;
  }
  if (body.sampleFrequencyHz !== undefined) {
    throw invalid(`body.sampleFrequencyHz: only set_sample_frequency takes it, not ${body.type}`);
  }
  return null;
}

/** Writes `event: command` whenever the command changed, and ends after a final status. */
function streamCommand(
  reply: FastifyReply,
  first: CommandView,
  read: () => Promise<CommandView | undefined>,
  subscribe: (onChange: () => void) => () => void,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let lastSent = '';
  let done = false;
  let reading = Promise.resolve();
  const send = (command: CommandView) => {
    const json = JSON.stringify(command);
    if (json !== lastSent) {
      lastSent = json;
      res.write(`event: command\nid: ${command.history.length}\ndata: ${json}\n\n`);
    }
    if (FINAL_STATUSES.includes(command.status)) finish();
  };
  const refresh = () => {
    // Serialised, so an older read can never overwrite a newer one on the wire.
    reading = reading.then(async () => {
      if (done) return;
      const command = await read().catch(() => undefined);
      if (command && !done) send(command);
    });
  };
  const unsubscribe = subscribe(refresh);
  const poll = setInterval(refresh, EVENTS_POLL_MS);
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), EVENTS_KEEPALIVE_MS);
  function finish() {
    if (done) return;
    done = true;
    unsubscribe();
    clearInterval(poll);
    clearInterval(keepalive);
    res.end();
  }
  res.on('close', finish);
  send(first);
  // A change between the first read and the subscription would otherwise wait for the poll.
  if (!done) refresh();
}
