import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { enqueueHttpMessage } from '../../src/modules/delivery/index.ts';
import { formBytes, signedOrder, type TestMerchant } from '../../test/support/ecommerce.ts';
import { sleep } from '../../test/support/processes.ts';
import { call, type VarcoInstance } from './varco.ts';

// What the drill sends while the database fails over: hosted-page orders, API-key calls and outbox
// messages, each remembered only when Varco (or the database) acknowledged it; and what a
// feedback receiver got, with the time of each receipt.

export interface Receiver {
  port: number;
  /** Receipt times (ms, performance.now()) per Varco-Event-Id. */
  received: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startReceiver(cert: { chainPem: string; keyPem: string }): Promise<Receiver> {
  const received = new Map<string, number[]>();
  const server: Server = createServer({ cert: cert.chainPem, key: cert.keyPem }, (req, res) => {
    const id = String(req.headers['varco-event-id']);
    received.set(id, [...(received.get(id) ?? []), performance.now()]);
    req.resume();
    req.on('end', () => res.writeHead(200).end('OK'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface TrafficTally {
  /** Merchant order references whose entry answered 303 (the order was stored). */
  accepted: string[];
  refusedOrders: number;
  apiOk: number;
  apiFailed: number;
  /** Outbox message ids whose transaction committed. */
  acknowledged: string[];
  enqueueFailed: number;
  /** performance.now() of the first accepted order after `since` (set by the caller), if any. */
  firstAcceptedAfter(since: number): number | undefined;
}

export interface Traffic {
  tally: TrafficTally;
  stop(): Promise<void>;
}

interface TrafficOptions {
  instances: VarcoInstance[];
  merchant: TestMerchant;
  apiKey: string;
  db: Kysely<Database>;
  receiverPort: number;
}

/** One loop per instance, each entering an order, reading it back through the API and enqueuing a message, until stopped. */
export function startTraffic(options: TrafficOptions): Traffic {
  const acceptedAt: number[] = [];
  const tally: TrafficTally = {
    accepted: [],
    refusedOrders: 0,
    apiOk: 0,
    apiFailed: 0,
    acknowledged: [],
    enqueueFailed: 0,
    firstAcceptedAfter: (since) => acceptedAt.find((t) => t > since),
  };
  let running = true;
  let n = 0;
  const loop = async (instance: VarcoInstance): Promise<void> => {
    while (running) {
      const orderId = `dr-${Date.now().toString(36)}-${n++}`;
      const body = formBytes(signedOrder(options.merchant, orderId), 'utf8').toString('ascii');
      const entered = await call(instance.port, instance.ca, '/ncol/test/orderstandard_utf8.asp', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      });
      if (entered.status === 303) {
        tally.accepted.push(orderId);
        acceptedAt.push(performance.now());
        const read = await call(instance.port, instance.ca, `/api/v1/orders/${orderId}`, { headers: { 'ocp-apim-subscription-key': options.apiKey } });
        if (read.status === 200) tally.apiOk++;
        else tally.apiFailed++;
      } else tally.refusedOrders++;
      await enqueue(options, orderId, tally);
      await sleep(20);
    }
  };
  const loops = options.instances.map(loop);
  return {
    tally,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function enqueue(options: TrafficOptions, orderId: string, tally: TrafficTally): Promise<void> {
  try {
    const id = await options.db.transaction().execute(
      async (trx) =>
        (
          await enqueueHttpMessage(trx, {
            env: 'test',
            method: 'POST',
            url: `https://localhost:${options.receiverPort}/feedback`,
            body: `orderID=${orderId}&STATUS=9`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            organisationId: null,
            subjectType: 'order',
            subjectId: orderId,
          })
        ).id,
    );
    tally.acknowledged.push(id);
  } catch {
    tally.enqueueFailed++;
  }
}

export interface ReadinessSample {
  at: number;
  instance: string;
  status: number;
}

/** Polls /readyz of every instance every 100 ms. */
export function watchReadiness(instances: VarcoInstance[]): { samples: ReadinessSample[]; stop(): Promise<void> } {
  const samples: ReadinessSample[] = [];
  let running = true;
  const loop = async (instance: VarcoInstance): Promise<void> => {
    while (running) {
      const reply = await call(instance.port, instance.ca, '/readyz', { timeoutMs: 2000 });
      samples.push({ at: performance.now(), instance: instance.name, status: reply.status });
      await sleep(100);
    }
  };
  const loops = instances.map(loop);
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
