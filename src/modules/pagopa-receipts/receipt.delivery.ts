import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { DeliveryHandler, DeliveryOutcome, OutboxMessage, RetrySchedule } from '../delivery/index.ts';
import type { ExchangeLog } from '../pagopa-exchanges/index.ts';
import type { EcRoute, PagopaDirectory } from '../pagopa-registry/index.ts';
import type { SimulatedStation } from '../pagopa-simulator/index.ts';
import type { StationCaller } from '../stations/index.ts';
import type { OutboundRequest, OutboundResult } from '../outbound/index.ts';
import { parseSnapshot, sendRtRequest, type ReceiptSnapshot, type StationHeader } from './receipt.build.ts';
import { mailUndelivered } from './receipts.mail.ts';
import { isLastAttempt, judgeAnswer, type AttemptVerdict } from './receipts.policy.ts';
import * as repo from './receipts.repository.ts';

// The outbox handler of the `soap` channel: delivers one receipt with paSendRT / paSendRTV2. The
// destination is resolved NOW (the EC's simulated station in the test environment when it is on,
// else the registry's receipt route), the message is built for that station's primitive version,
// sent with the station caller (mutual TLS, for the station's owner) or the simulator, both
// messages go to the exchange log, and the attempt is recorded with the receipt. EC OK or
// PAA_RECEIPT_DUPLICATA delivers; anything else is a failure the outbox retries on the receipts'
// schedule. The failure that ends the schedule marks the receipt failed and e-mails the EC's referents.

export interface ReceiptDeliveryDeps {
  db: Kysely<Database>;
  clock: Clock;
  directory: Pick<PagopaDirectory, 'receiptRoute' | 'isEc'>;
  simulator: Pick<SimulatedStation, 'isEnabled' | 'send'>;
  stationCaller: Pick<StationCaller, 'send'>;
  exchanges: Pick<ExchangeLog, 'record'>;
  /** How long the station may take to answer (VARCO_PAGOPA_RT_TIMEOUT_MS), and to connect: both kept inside the outbox lease (receiptTimeouts). */
  responseTimeoutMs: number;
  connectTimeoutMs?: number;
  /** The channel's retry schedule (the worker's): its last attempt is when the referents are told. */
  schedule: RetrySchedule;
  /** For the link in the e-mail. */
  publicUrl: string;
  logger?: { warn(obj: object, msg?: string): void };
}

/** idStation the simulated station is called with (it has no station record): the EC's fiscal code + `_SIM`. */
export const simulatedStationCode = (fiscalCode: string): string => `${fiscalCode}_SIM`;

type Destination =
  | { kind: 'simulator'; ecOrganisationId: string; version: 1 | 2; header: StationHeader }
  | { kind: 'station'; route: EcRoute; header: StationHeader }
  | { kind: 'none'; ecOrganisationId: string | null; verdict: AttemptVerdict };

const refused = (faultCode: string | null, error: string): AttemptVerdict => ({ result: 'retry', httpStatus: null, ecOutcome: null, faultCode, error });

function payloadOf(message: OutboxMessage): string | undefined {
  const p = message.payload as { kind?: unknown; receiptId?: unknown } | null;
  return p?.kind === 'pagopa_receipt' && typeof p.receiptId === 'string' ? p.receiptId : undefined;
}

interface Attempt {
  message: OutboxMessage;
  row: repo.ReceiptRow;
  snapshot: ReceiptSnapshot;
  startedAt: Date;
  t0: number;
}

export function createReceiptDeliveryHandler(deps: ReceiptDeliveryDeps): DeliveryHandler {
  const { db, clock, directory, simulator, stationCaller, exchanges } = deps;

  /** `noticeNumber` for the notice's own EC: its receipt goes to the station the notice routes to (directory.receiptRoute). */
  async function destinationOf(env: 'test' | 'prod', fiscalCode: string, noticeNumber?: string): Promise<Destination> {
    const ec = await directory.isEc(env, fiscalCode);
    const simulated = ec?.enabled ? await simulator.isEnabled(env, ec.organisationId) : undefined;
    if (ec && simulated) {
      return {
        kind: 'simulator',
        ecOrganisationId: ec.organisationId,
        version: simulated.primitiveVersion,
        header: { idPA: fiscalCode, idBrokerPA: fiscalCode, idStation: simulatedStationCode(fiscalCode) },
      };
    }
    const routed = await directory.receiptRoute({ env, fiscalCode, ...(noticeNumber === undefined ? {} : { noticeNumber }) });
    if (!routed.ok) return { kind: 'none', ecOrganisationId: ec?.organisationId ?? null, verdict: refused(routed.faultCode, routed.description) };
    const { route } = routed;
    return { kind: 'station', route, header: { idPA: fiscalCode, idBrokerPA: route.brokerFiscalCode, idStation: route.stationCode } };
  }

  async function send(env: 'test' | 'prod', to: Exclude<Destination, { kind: 'none' }>, request: OutboundRequest): Promise<OutboundResult | string> {
    const responseTimeoutMs = deps.responseTimeoutMs;
    if (to.kind === 'simulator') return simulator.send({ env, ecOrganisationId: to.ecOrganisationId, responseTimeoutMs }, request);
    const timeouts = { responseTimeoutMs, ...(deps.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: deps.connectTimeoutMs }) };
    const sent = await stationCaller.send({ organisationId: to.route.stationOrganisationId, env, stationId: to.route.stationId, ...timeouts }, request);
    return sent.ok ? sent.value : `station ${to.route.stationCode} cannot be called (${sent.reason})`;
  }

  /** Sends the built message and logs the exchange; the verdict and the exchange id. */
  async function exchange(a: Attempt, to: Exclude<Destination, { kind: 'none' }>, built: { operation: 'paSendRT' | 'paSendRTV2'; body: string }) {
    const env = a.row.environment;
    const request: OutboundRequest = {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${built.operation}"` },
      body: built.body,
    };
    const result = await send(env, to, request);
    const verdict = typeof result === 'string' ? refused('PPT_STAZIONE_INT_PA_SCONOSCIUTA', result) : judgeAnswer(built.operation, result);
    const station =
      to.kind === 'station'
        ? { stationId: to.route.stationId, stationCode: to.route.stationCode, stationOrganisationId: to.route.stationOrganisationId }
        : { stationCode: to.header.idStation };
    const exchangeId = await exchanges
      .record({
        env,
        direction: 'out',
        operation: built.operation,
        at: a.startedAt,
        durationMs: performance.now() - a.t0,
        pspOrganisationId: a.snapshot.psp.organisationId,
        ecOrganisationId: to.kind === 'station' ? to.route.ecOrganisationId : to.ecOrganisationId,
        ...station,
        // The notice's EC reads every institution's copy of its receipt (docs/adr/0021), and so the message.
        furtherOrganisationIds: [a.row.ec_organisation_id],
        noticeNumber: a.row.notice_number,
        fiscalCode: a.row.recipient_fiscal_code,
        token: a.row.token,
        outcome: verdict.ecOutcome,
        faultCode: verdict.faultCode,
        httpStatus: verdict.httpStatus,
        error: verdict.result === 'retry' && verdict.ecOutcome === null ? verdict.error : null,
        request: built.body,
        ...(typeof result !== 'string' && result.kind === 'response' ? { response: result.body } : {}),
        // Which of the station's sites answered or failed last (the simulator has one).
        ...(typeof result !== 'string' && to.kind === 'station' ? { endpoint: result.endpoint } : {}),
      })
      .catch((error: unknown) => {
        deps.logger?.warn({ receiptId: a.row.id, err: (error as Error).message }, 'the exchange log did not record a receipt delivery');
        return null;
      });
    return { verdict, exchangeId };
  }

  async function attempt(a: Attempt): Promise<{ verdict: AttemptVerdict; to: Destination; exchangeId: string | null; version: 1 | 2 | null }> {
    const own = a.row.recipient_fiscal_code === a.row.fiscal_code;
    const to = await destinationOf(a.row.environment, a.row.recipient_fiscal_code, own ? a.row.notice_number : undefined);
    if (to.kind === 'none') return { verdict: to.verdict, to, exchangeId: null, version: null };
    const version = to.kind === 'simulator' ? to.version : to.route.primitiveVersion;
    let built: { operation: 'paSendRT' | 'paSendRTV2'; body: string };
    try {
      built = sendRtRequest(a.snapshot, version, to.header);
    } catch (error) {
      return {
        verdict: refused(null, `the receipt cannot be built for primitive version ${version}: ${(error as Error).message}`),
        to,
        exchangeId: null,
        version,
      };
    }
    return { ...(await exchange(a, to, built)), to, version };
  }

  async function finish(a: Attempt, done: Awaited<ReturnType<typeof attempt>>): Promise<DeliveryOutcome> {
    const { verdict, to } = done;
    const last = verdict.result === 'retry' && isLastAttempt(a.message.attempt, deps.schedule);
    const recipientOrganisationId = to.kind === 'station' ? to.route.ecOrganisationId : to.ecOrganisationId;
    const station =
      to.kind === 'station'
        ? { id: to.route.stationId, code: to.route.stationCode, organisationId: to.route.stationOrganisationId }
        : to.kind === 'simulator'
          ? { id: null, code: to.header.idStation, organisationId: null }
          : null;
    const record = async (trx: typeof db): Promise<void> => {
      const failed = await repo.recordAttempt(trx, {
        receiptId: a.row.id,
        outboxMessageId: a.message.id,
        attempt: a.message.attempt,
        startedAt: a.startedAt,
        durationMs: performance.now() - a.t0,
        verdict,
        destination: to.kind === 'none' ? null : to.kind,
        station,
        primitiveVersion: done.version,
        recipientOrganisationId,
        exchangeId: done.exchangeId,
        last,
        now: clock.now(),
      });
      if (failed) await mailUndelivered(trx, failed, deps.publicUrl);
    };
    // Only an attempt that may end the message (its last) can turn the receipt failed and e-mail about
    // it, in the same transaction; any other is one statement on its own (issue 15).
    if (last) await db.transaction().execute(record);
    else await record(db);
    if (verdict.result !== 'retry') return { ok: true, ...(verdict.httpStatus === null ? {} : { statusCode: verdict.httpStatus }) };
    return { ok: false, error: verdict.error ?? 'not delivered', ...(verdict.httpStatus === null ? {} : { statusCode: verdict.httpStatus }) };
  }

  return async (message) => {
    const receiptId = payloadOf(message);
    if (receiptId === undefined) return { ok: false, permanent: true, error: 'not a receipt delivery message' };
    // A worker killed after the station took the receipt, before the outbox recorded it: done already, do not send twice.
    const { deliveredBefore, row } = await repo.receiptForDelivery(db, receiptId, message.id);
    if (deliveredBefore) return { ok: true };
    if (!row) return { ok: false, permanent: true, error: `receipt ${receiptId} does not exist` };
    const snapshot = parseSnapshot(row.payload);
    if (!snapshot) return { ok: false, permanent: true, error: `receipt ${receiptId} cannot be read by this version` };
    const a: Attempt = { message, row, snapshot, startedAt: clock.now(), t0: performance.now() };
    return finish(a, await attempt(a));
  };
}
