// Calls machine controllers over gRPC with TLS (the stack's CA), one channel per address, a
// deadline on every call. Retries are the caller's (retry.ts), with the same idempotency key.
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { MachineActionError } from './errors.js';
import {
  MACHINE_CONTROLLER_SERVICE,
  MACHINE_SCHEMA_VERSION,
  type ActionReply,
  type ActionRequest,
} from './service.js';

const ClientConstructor = makeGenericClientConstructor(
  MACHINE_CONTROLLER_SERVICE,
  'MachineController',
);

type Unary = (
  request: ActionRequest,
  options: { deadline: Date },
  callback: (
    error: (Error & { code?: number; details?: string }) | null,
    reply?: ActionReply,
  ) => void,
) => void;

export class MachineControllerClients {
  private readonly clients = new Map<string, Client>();
  private readonly tls;

  /** `caPem`: the CA the controllers' certificates are signed by (the stack's). */
  constructor(caPem: Buffer | string) {
    this.tls = credentials.createSsl(Buffer.from(caPem));
  }

  /** One attempt; throws MachineActionError (retryable or not) when it does not succeed. */
  async applyAction(
    address: string,
    request: Omit<ActionRequest, 'schemaVersion'>,
    deadlineMs: number,
  ): Promise<ActionReply> {
    const client = this.clientFor(address);
    const call = (client as unknown as { applyAction: Unary }).applyAction.bind(client);
    const reply = await new Promise<ActionReply>((resolve, reject) => {
      call(
        { ...request, schemaVersion: MACHINE_SCHEMA_VERSION },
        { deadline: new Date(Date.now() + deadlineMs) },
        (error, answer) => {
          if (error) reject(MachineActionError.fromGrpc(error));
          else if (!answer) reject(new MachineActionError('empty reply', true));
          else resolve(answer);
        },
      );
    });
    if (!reply.applied) {
      throw new MachineActionError(`refused by the controller: ${reply.detail}`, false);
    }
    return reply;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private clientFor(address: string): Client {
    let client = this.clients.get(address);
    if (!client) {
      client = new ClientConstructor(address, this.tls);
      this.clients.set(address, client);
    }
    return client;
  }
}
