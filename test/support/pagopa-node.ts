import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ContainerDeps, Services } from '../../src/app/container.ts';
import { createPagopaNode, type PagopaNode, type ReceiptScheduler } from '../../src/modules/pagopa-node/index.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import { decodeResponse, encodeRequest, formatNoticeNumber, type PspOperation, type RequestOf, type ResponseOf } from '../../src/protocols/pagopa/index.ts';
import { padTransfers, type ScenarioInput } from '../../src/modules/pagopa-simulator/index.ts';
import { buildTestApp, type TestApp } from './app.ts';
import { watchReceipts, type WatchedReceipts } from './pagopa-receipts-spy.ts';
import { connectEcStation, startEcStation, type EcStation } from './ec-station.ts';
import { CLI, issueKeys } from './subscriptions.ts';
import { organisation } from '../pagopa-registry/support.ts';

// Fixtures of the pagoPA node's tests: the app with the node's receipts watched on their way to the real receipts service, a PSP
// organisation with its `node` key and registry records, creditor institutions served by the built-in
// simulator or by a real EC station over mutual TLS, and SOAP calls built with Varco's codec.

export const CHANNEL_PASSWORD = 'ch4nnel-pw1';

export interface NodeApp extends TestApp {
  receipts: WatchedReceipts;
}

/** The pagoPA node as the container wires it, with `receipts` as its receipts scheduler (tests may construct as they like). */
export function nodeWith(services: Services, deps: ContainerDeps, receipts: ReceiptScheduler): PagopaNode {
  return createPagopaNode({
    db: deps.db,
    clock: deps.clock,
    audit: deps.audit,
    registry: services.pagopaRegistry,
    stationCaller: services.stationCaller,
    simulator: services.pagopaSimulator,
    exchanges: services.exchanges,
    receipts,
    logger: deps.logger,
    timeouts: { verifyMs: deps.config.pagopaVerifyTimeoutMs, getPaymentMs: deps.config.pagopaGetPaymentTimeoutMs },
  });
}

/** buildTestApp, with the node's receipts watched on their way to the real receipts service. */
export async function nodeTestApp(options: { clock?: Clock; env?: Record<string, string>; tls?: { cert: string; key: string } } = {}): Promise<NodeApp> {
  let receipts: WatchedReceipts | undefined;
  const t = await buildTestApp({
    ...options,
    customise: (services, deps) => {
      receipts = watchReceipts(services.receipts);
      services.pagopaNode = nodeWith(services, deps, receipts);
    },
  });
  if (receipts === undefined) throw new Error('buildTestApp did not call customise');
  return Object.assign(t, { receipts });
}

export interface Psp {
  organisationId: string;
  name: string;
  key: string;
  pspId: string;
  channelId: string;
  head: { idPSP: string; idBrokerPSP: string; idChannel: string; password: string };
}

const suffix = (): string => randomBytes(3).toString('hex').toUpperCase();

/** A PSP organisation with an active `node` key in `test`, its PSP, broker and channel. */
export async function registerPsp(services: Services, t: Pick<TestApp, 'database'>, name = 'Banca di Prova'): Promise<Psp> {
  const org = await organisation(t.database.db, 'psp', { name });
  const keys = await issueKeys(services, org.id, 'node', 'test');
  const tag = suffix();
  const head = { idPSP: `PSP_${tag}`, idBrokerPSP: `BRK_${tag}`, idChannel: `BRK_${tag}_01`, password: CHANNEL_PASSWORD };
  const added = await services.pagopaRegistry.psps.addPsp(
    { organisationId: org.id, env: 'test', idPsp: head.idPSP, idBrokerPsp: head.idBrokerPSP, idChannel: head.idChannel, password: CHANNEL_PASSWORD },
    CLI,
  );
  assert.ok(added.ok, added.ok ? '' : added.problem);
  return { organisationId: org.id, name: org.name, key: keys.primary, head, pspId: added.value.pspId, channelId: added.value.channelId };
}

export interface Ec {
  organisationId: string;
  fiscalCode: string;
  name: string;
}

export async function createEcOrganisation(t: Pick<TestApp, 'database'>, name = 'Comune di Prova'): Promise<Ec> {
  const org = await organisation(t.database.db, 'creditor_institution', { name });
  return { organisationId: org.id, fiscalCode: org.taxCode, name: org.name };
}

/** An EC answered by the built-in simulator (test environment), with these scenarios (first match wins). */
export async function simulatedEc(
  services: Services,
  t: Pick<TestApp, 'database'>,
  options: { version?: 1 | 2; scenarios?: ScenarioInput[]; name?: string } = {},
): Promise<Ec> {
  const ec = await createEcOrganisation(t, options.name);
  assert.ok((await services.pagopaRegistry.ecs.addEc(ec.organisationId, 'test', CLI)).ok);
  assert.ok((await services.pagopaSimulator.settings.updateSettings(ec.organisationId, { enabled: true, primitiveVersion: options.version ?? 2 }, CLI)).ok);
  for (const form of options.scenarios ?? []) {
    const added = await services.pagopaSimulator.settings.addScenario(ec.organisationId, form, undefined, CLI);
    assert.ok(added.ok, JSON.stringify(added));
  }
  return ec;
}

/** An EC whose notices with aux digit 3 and segregation code `segregation` go to a real EC station. */
export async function stationEc(
  services: Services,
  ec: Ec,
  station: EcStation,
  options: { version?: 1 | 2; segregation?: string; code?: string } = {},
): Promise<{ stationId: string; code: string }> {
  const code = options.code ?? `${ec.fiscalCode}_01`;
  const { stationId } = await connectEcStation(services, { organisationId: ec.organisationId, station, code });
  const linked = await services.pagopaRegistry.ecs.link(
    {
      organisationId: ec.organisationId,
      env: 'test',
      stationCode: code,
      auxDigit: '3',
      segregationCode: options.segregation ?? '01',
      version: String(options.version ?? 2),
    },
    CLI,
  );
  assert.ok(linked.ok, linked.ok ? '' : linked.problem);
  return { stationId, code };
}

/**
 * An EC organisation served by a real EC station of its own (mutual TLS, trusting Varco's test platform
 * CA, primitive version 2, the simulator's default answers), linked for aux digit 3 and segregation 01.
 */
export async function ecWithStation(t: Pick<TestApp, 'database' | 'services'>, name: string): Promise<{ ec: Ec; station: EcStation; stationCode: string }> {
  const ec = await createEcOrganisation(t, name);
  const platform = await t.services.platformCertificates.downloads('test');
  const station = await startEcStation({ ecs: { fiscalCode: ec.fiscalCode, name: ec.name }, clientCas: [platform.caPem], primitiveVersion: 2 });
  const { code } = await stationEc(t.services, ec, station, { version: 2 });
  return { ec, station, stationCode: code };
}

/** A scenario form as the portal sends it: payable `amount` (euros) in one transfer to the EC. */
export function payable(pattern: string, fiscalCode: string, amount = '120.00', extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    pattern,
    answer: 'payable',
    amount,
    description: 'Avviso di prova',
    companyName: 'Comune di Prova',
    dueDate: '',
    transfers: padTransfers([{ amount, fiscalCode, iban: 'IT60X0542811101000000123456', remittance: 'Quota', category: '9/0101108TS/' }]),
    delayMs: '0',
    delayOn: [],
    malformedOn: [],
    refuseReceipts: '0',
    refuseWith: 'ko',
    ...extra,
  };
}

let serial = 0;
/** A fresh aux-3 notice number with segregation code `segregation` (check digits computed). */
export function noticeNumber(segregation = '01', prefix = ''): string {
  serial++;
  const base = `${prefix}${Date.now().toString().slice(-8)}${String(serial).padStart(5, '0')}`.slice(-13).padStart(13, '0');
  return formatNoticeNumber({ auxDigit: 3, segregationCode: segregation, iuvBase: base });
}

export interface SoapResult<O extends PspOperation> {
  status: number;
  body: string;
  contentType: string;
  /** The body decoded as the operation's response (throws in the assertion when it does not decode). */
  value: ResponseOf<O>;
}

/** POSTs one nodeForPsp request (encoded by Varco's codec) with the PSP's key; decodes the answer. */
export async function soap<O extends PspOperation>(
  app: FastifyInstance,
  key: string,
  op: O,
  value: RequestOf<O>,
  headers: Record<string, string> = {},
): Promise<SoapResult<O>> {
  const res = await app.inject({
    method: 'POST',
    url: '/nodo/node-for-psp/v1',
    payload: encodeRequest(op, value),
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${op}"`, 'ocp-apim-subscription-key': key, ...headers },
  });
  const decoded = decodeResponse(op, res.body);
  assert.ok(decoded.ok, `${op}: ${res.statusCode} ${decoded.ok ? '' : decoded.problem.description}\n${res.body}`);
  return { status: res.statusCode, body: res.body, contentType: String(res.headers['content-type']), value: decoded.value };
}

/** The fault code of a KO answer, or 'OK'. */
export function faultOf(value: { outcome: 'OK' | 'KO'; fault?: { faultCode: string } }): string {
  return value.outcome === 'OK' ? 'OK' : (value.fault?.faultCode ?? 'KO without fault');
}

export const qr = (ec: Ec, notice: string) => ({ fiscalCode: ec.fiscalCode, noticeNumber: notice });

export const OK_DETAILS = { paymentMethod: 'creditCard', paymentChannel: 'app', fee: 150, applicationDate: '2026-03-01', transferDate: '2026-03-02' } as const;

/** activatePaymentNotice[V2] then the token, asserting OK. */
export async function activateOk(
  app: FastifyInstance,
  psp: Psp,
  ec: Ec,
  notice: string,
  amountCents: number,
  extra: Partial<RequestOf<'activatePaymentNoticeV2'>> = {},
  op: 'activatePaymentNotice' | 'activatePaymentNoticeV2' = 'activatePaymentNoticeV2',
): Promise<string> {
  const res = await soap(app, psp.key, op, { ...psp.head, qrCode: qr(ec, notice), amount: amountCents, ...extra });
  assert.equal(faultOf(res.value), 'OK', res.body);
  return res.value.paymentToken ?? '';
}
