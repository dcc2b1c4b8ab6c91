// A real creditor institution's station for the test suite: a Node `https` server that DEMANDS
// Varco's client certificate (requestCert + rejectUnauthorized, trusting only the CAs given, e.g.
// Varco's platform CA of the environment), serves paForNode SOAP at one path and answers from a
// scenario list with the simulator's own pure decision (src/modules/pagopa-simulator), so it and the
// built-in simulated station behave the same. It records every request, counts receipt deliveries,
// and can be told to answer 503, slowly, with a malformed body, or to close the socket.
import { after } from 'node:test';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Services } from '../../src/app/container.ts';
import { newId } from '../../src/kernel/ids.ts';
import {
  decide,
  deliveryKey,
  malformedBody,
  readStationCall,
  receiptKey,
  type AnswerOutcome,
  type Scenario,
  type SimulatedAnswer,
  type SimulatedEc,
  type StationCall,
} from '../../src/modules/pagopa-simulator/index.ts';
import { ecFault, encodeKo, type EcOperation, type PaaFaultCode } from '../../src/protocols/pagopa/index.ts';
import { makeServerPki, type TestCertificate } from './test-certs.ts';

export { paRequest, paRequestBody, type PaCallInput } from './pagopa-requests.ts';

export interface EcStationOptions {
  /** The institutions the station serves; a request's idPA picks one (an unknown idPA is answered PAA_ID_DOMINIO_ERRATO). */
  ecs: SimulatedEc | SimulatedEc[];
  /** CAs whose client certificates are accepted: Varco's platform CA of the environment (platformCertificates.downloads(env)). */
  clientCas: string[];
  /** First match wins; none matching: payable 100.00 € with one transfer to the EC (the simulator's default). */
  scenarios?: Scenario[];
  /** Operations of the other version are answered with a SOAP fault, as the simulator does. Undefined: both versions. */
  primitiveVersion?: 1 | 2;
  /** Service path; default `/pa-for-node`. */
  path?: string;
  /** Server certificate for `localhost`; default: a fresh test PKI (its root is `serverRootPem`). */
  server?: { leaf: TestCertificate; chain?: TestCertificate[]; rootPem: string };
  host?: string;
  /** Answer a receipt (receiptId) it has taken before with PAA_RECEIPT_DUPLICATA, as an idempotent EC does. Default: OK again. */
  idempotentReceipts?: boolean;
}

/** What the station does instead of the scenario's answer (`ko`: the operation's KO with that fault, HTTP 200). */
export type EcStationFault =
  { kind: 'http503' } | { kind: 'close' } | { kind: 'malformed' } | { kind: 'slow'; delayMs: number } | { kind: 'ko'; faultCode: PaaFaultCode };

export interface EcStationRequest {
  at: Date;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The decoded request, when it decoded. */
  call: StationCall | undefined;
  operation: EcOperation | undefined;
  clientCertificatePem: string | undefined;
  /** What was answered: the decision's outcome, `closed` for a dropped socket. */
  outcome: AnswerOutcome | 'closed' | 'not_found';
  status: number | undefined;
  scenario: number | 'default' | undefined;
  /** For paSendRT[V2]: which delivery of that receipt this was (1 for the first). */
  receiptDelivery: number | undefined;
}

export interface EcStation {
  /** The service URL to register (https://localhost:PORT/path). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Trust it for the station's organisation (trust.add) so Varco accepts the server certificate. */
  readonly serverRootPem: string;
  readonly requests: EcStationRequest[];
  /** TLS handshakes completed, and handshakes refused (e.g. a client without a certificate). */
  readonly handshakes: number;
  readonly refusedHandshakes: number;
  scenarios: Scenario[];
  primitiveVersion: 1 | 2 | undefined;
  /** The next `times` requests get `fault` (default: every request until clearFaults). */
  inject(fault: EcStationFault, times?: number): void;
  clearFaults(): void;
  /** How many deliveries of this receipt arrived. */
  deliveries(receiptId: string): number;
  /** Requests of one operation, in arrival order. */
  calls(operation?: EcOperation): EcStationRequest[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A scenario with the simulator's defaults (payable default payment, no delay, nothing refused). */
export function scenario(fields: Partial<Scenario> & Pick<Scenario, 'pattern'>): Scenario {
  return { id: newId('scn'), answer: 'payable', delayMs: 0, delayOn: [], malformedOn: [], refuseReceipts: 0, refuseWith: 'ko', ...fields };
}

function applyFault(answer: SimulatedAnswer, fault: EcStationFault | undefined, op: EcOperation | undefined, ec: string): SimulatedAnswer {
  switch (fault?.kind) {
    case undefined:
    case 'close':
      return answer;
    case 'http503':
      return { ...answer, status: 503, contentType: 'text/plain; charset=utf-8', body: 'Service Unavailable', outcome: 'http503' };
    case 'malformed':
      return { ...answer, status: 200, body: malformedBody(op ?? 'paGetPayment'), outcome: 'malformed' };
    case 'slow':
      return { ...answer, delayMs: fault.delayMs };
    case 'ko':
      return {
        ...answer,
        status: 200,
        contentType: 'text/xml; charset=utf-8',
        body: encodeKo(op ?? 'paSendRTV2', ecFault(fault.faultCode, ec)),
        outcome: 'KO',
        faultCode: fault.faultCode,
      };
  }
}

export async function startEcStation(options: EcStationOptions): Promise<EcStation> {
  const ecs = [options.ecs].flat();
  const home = ecs[0];
  if (home === undefined) throw new Error('an EC station serves at least one institution');
  const path = options.path ?? '/pa-for-node';
  const host = options.host ?? '127.0.0.1';
  const pki =
    options.server ??
    (await (async () => {
      const made = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: `EC station root ${home.fiscalCode}` });
      return { leaf: made.leaf, chain: made.intermediate ? [made.intermediate] : [], rootPem: made.root.certPem };
    })());
  const requests: EcStationRequest[] = [];
  const receipts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const faults: Array<{ fault: EcStationFault; left: number }> = [];
  let [handshakes, refusedHandshakes, port] = [0, 0, 0];
  let server: Server | undefined;

  const takeFault = (): EcStationFault | undefined => {
    const next = faults[0];
    if (next === undefined) return undefined;
    if (--next.left <= 0) faults.shift();
    return next.fault;
  };

  const answer = (record: EcStationRequest, text: string, soapAction: string | string[] | undefined): SimulatedAnswer => {
    const read = readStationCall(text, soapAction, home);
    if (!read.ok) return read.answer;
    record.call = read.call;
    record.operation = read.call.operation;
    const ec = ecs.find((e) => e.fiscalCode === read.call.value.idPA) ?? home;
    const key = deliveryKey(read.call, ec, station.primitiveVersion);
    if (key !== undefined) receipts.set(key, (receipts.get(key) ?? 0) + 1);
    record.receiptDelivery = key === undefined ? undefined : receipts.get(key);
    const op = read.call.operation;
    if (options.idempotentReceipts && (record.receiptDelivery ?? 0) > 1 && (op === 'paSendRT' || op === 'paSendRTV2')) {
      return {
        status: 200,
        contentType: 'text/xml; charset=utf-8',
        body: encodeKo(op, ecFault('PAA_RECEIPT_DUPLICATA', ec.fiscalCode, 'receiptId already received')),
        delayMs: 0,
        outcome: 'KO',
        faultCode: 'PAA_RECEIPT_DUPLICATA',
        operation: op,
      };
    }
    return decide({
      scenarios: station.scenarios,
      ec,
      call: read.call,
      now: new Date(),
      ...(station.primitiveVersion === undefined ? {} : { primitiveVersion: station.primitiveVersion }),
      ...(record.receiptDelivery === undefined ? {} : { receiptDelivery: record.receiptDelivery }),
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const socket = req.socket as TLSSocket;
    const record: EcStationRequest = {
      at: new Date(),
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: body.toString('utf8'),
      call: undefined,
      operation: undefined,
      clientCertificatePem: socket.getPeerX509Certificate()?.toString(),
      outcome: 'not_found',
      status: 404,
      scenario: undefined,
      receiptDelivery: undefined,
    };
    requests.push(record);
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const decided = answer(record, record.body, req.headers.soapaction);
    const fault = takeFault();
    if (fault?.kind === 'close') {
      Object.assign(record, { outcome: 'closed', status: undefined, scenario: decided.scenario });
      socket.destroy();
      return;
    }
    const final = applyFault(decided, fault, record.operation, record.call?.value.idPA ?? home.fiscalCode);
    Object.assign(record, { outcome: final.outcome, status: final.status, scenario: final.scenario });
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) res.writeHead(final.status, { 'content-type': final.contentType }).end(final.body);
    }, final.delayMs);
    timers.add(timer);
  };

  const start = async (): Promise<void> => {
    const created = createServer(
      {
        cert: [pki.leaf, ...(pki.chain ?? [])].map((c) => c.certPem).join(''),
        key: pki.leaf.keyPem,
        requestCert: true,
        rejectUnauthorized: true,
        ca: options.clientCas,
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => handle(req, res, Buffer.concat(chunks)));
      },
    );
    created.on('secureConnection', () => {
      handshakes++;
    });
    created.on('tlsClientError', () => {
      refusedHandshakes++;
    });
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, host, () => resolve());
    });
    port = (created.address() as AddressInfo).port;
    server = created;
  };

  const stop = async (): Promise<void> => {
    const stopping = server;
    server = undefined;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (stopping === undefined) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => stopping.close(() => resolve()));
  };

  const station: EcStation = {
    get url() {
      return `https://localhost:${port}${path}`;
    },
    host,
    get port() {
      return port;
    },
    path,
    serverRootPem: pki.rootPem,
    requests,
    get handshakes() {
      return handshakes;
    },
    get refusedHandshakes() {
      return refusedHandshakes;
    },
    scenarios: [...(options.scenarios ?? [])],
    primitiveVersion: options.primitiveVersion,
    inject: (fault, times = Number.POSITIVE_INFINITY) => {
      faults.push({ fault, left: times });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    deliveries: (receiptId) => receipts.get(receiptKey(receiptId)) ?? 0,
    calls: (operation) => requests.filter((r) => operation === undefined || r.operation === operation),
    stop,
    start,
  };
  await start();
  after(stop);
  return station;
}

/**
 * Registers the station for an organisation in the test environment (its server root trusted for
 * that organisation, the station approved by the CLI actor), as the node tests need it.
 */
export async function connectEcStation(
  services: Services,
  input: { organisationId: string; station: EcStation; code: string },
): Promise<{ stationId: string }> {
  const cli = { type: 'cli', id: null, ip: null } as const;
  const trusted = await services.trust.add('test', input.station.serverRootPem, { organisationId: input.organisationId }, cli);
  if (!trusted.ok && trusted.reason !== 'already_trusted') throw new Error(`trust.add: ${trusted.reason}`);
  const endpoint = { url: input.station.url, ip: input.station.host, port: String(input.station.port) };
  const created = await services.stations.register(input.organisationId, 'test', { code: input.code, primary: endpoint }, cli, { allowSharedHost: true });
  if (!created.ok) throw new Error(`stations.register: ${JSON.stringify(created)}`);
  const approved = await services.stations.reviewStation(created.value.id, 'approve', '', cli);
  if (!approved.ok) throw new Error(`stations.reviewStation: ${approved.reason}`);
  return { stationId: created.value.id };
}
