import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import type { ExchangeLog } from '../pagopa-exchanges/index.ts';
import type { PagopaDirectory } from '../pagopa-registry/index.ts';
import type { SimulatedStation } from '../pagopa-simulator/index.ts';
import type { OutboundRequest, OutboundResult } from '../outbound/index.ts';
import type { StationCallRefusal, StationCallTarget } from '../stations/index.ts';
// The receipts module (pagopa-receipts) is built in parallel; its index.ts re-exports this type once it
// lands. Until then the shared type file is the only part of it that exists on this branch.
// eslint-disable-next-line no-restricted-imports -- see above: the agreed shared type, not the module's internals
import type { PaidPayment } from '../pagopa-receipts/receipts.types.ts';

// Types of the pagoPA node (issue 11; docs/adr/0020-pagopa-node.md): its dependencies, what the
// HTTP context hands it and what it answers.

export type { PaidPayment };
export type Environment = 'test' | 'prod';

/**
 * The receipts module's entry point, called INSIDE the transaction that records an OK outcome, so a
 * crash after the outcome can never lose a receipt. Returns the receipt ids (`rct_…`).
 */
export interface ReceiptScheduler {
  schedule(trx: Kysely<Database>, paid: PaidPayment): Promise<string[]>;
}

export interface NodeLogger {
  error(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

/** Per-primitive response timeouts of calls to EC stations (settings VARCO_PAGOPA_*_TIMEOUT_MS). */
export interface NodeTimeouts {
  verifyMs: number;
  getPaymentMs: number;
}

export interface PagopaNodeOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** Not used on the payment path (the exchange log is the record of every message); kept for wiring symmetry. */
  audit?: AuditLog;
  registry: Pick<PagopaDirectory, 'authorisePsp' | 'routeNotice' | 'isEc'>;
  stationCaller: { send(target: StationCallTarget, request: OutboundRequest): Promise<Result<OutboundResult, StationCallRefusal>> };
  simulator: Pick<SimulatedStation, 'isEnabled' | 'send'>;
  exchanges: Pick<ExchangeLog, 'record'>;
  receipts: ReceiptScheduler;
  timeouts: NodeTimeouts;
  logger: NodeLogger;
  /** How long a request with the idempotency key of an activation in progress waits for its answer (default 3 s). */
  idempotencyWaitMs?: number;
}

/** The caller, as the API key identified it (the HTTP context verified the key). */
export interface NodeCaller {
  env: Environment;
  organisationId: string;
  /** The organisation's name: the PSP's company name in receipts. */
  organisationName: string;
}

/** One SOAP request as received on POST /nodo/node-for-psp/v1. */
export interface NodeRequest {
  caller: NodeCaller;
  body: Buffer;
  soapAction: string | readonly string[] | undefined;
  /** When the request arrived (performance.now() and the clock), for the exchange log's timing. */
  receivedAt: { at: Date; mark: number };
}

/** What the HTTP context sends back: always a SOAP 1.1 envelope. */
export interface NodeAnswer {
  status: number;
  body: string;
}

/** A refusal the HTTP context decided before the node could read the body (size, content type). */
export interface TransportRefusal {
  caller: NodeCaller;
  soapAction: string | readonly string[] | undefined;
  kind: 'too_large' | 'bad_request' | 'unexpected';
  description: string;
  body?: Buffer;
  receivedAt: { at: Date; mark: number };
}
