import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeResponse,
  encodeRequest,
  PPT_FAULTS,
  type FaultBean,
  type PptFaultCode,
  type PspOperation,
  type RequestOf,
} from '../../src/protocols/pagopa/index.ts';
import { scenario } from '../support/ec-station.ts';
import {
  activateOk,
  CHANNEL_PASSWORD,
  createEcOrganisation,
  ecWithStation,
  faultOf,
  nodeTestApp,
  noticeNumber,
  OK_DETAILS,
  payable,
  qr,
  registerPsp,
  simulatedEc,
  soap,
  type Psp,
} from '../support/pagopa-node.ts';
import { CLI } from '../support/subscriptions.ts';

// Every fault code Varco's node can answer a PSP, each provoked for real — registry records switched
// off, a real EC station over mutual TLS that answers KO, slowly, garbled, HTTP 503 or not at all,
// bodies that are not the schema's — and each checked the same way: HTTP 200, text/xml, the
// operation's own response with outcome KO, the catalogue's faultString, a description in words,
// never an HTML page nor a stack trace. Then the transport refusals (SOAPAction, content type, size).

const t = await nodeTestApp({ env: { VARCO_PAGOPA_VERIFY_TIMEOUT_MS: '500', VARCO_PAGOPA_GET_PAYMENT_TIMEOUT_MS: '500' } });
const psp = await registerPsp(t.services, t, 'Banca Errori');
const { ec, station, stationCode } = await ecWithStation(t, 'Comune Errori');

// Records switched off, one per fault, each with its own PSP organisation and key.
const pspOff = await registerPsp(t.services, t, 'Banca Disabilitata');
assert.ok((await t.services.pagopaRegistry.psps.setPspEnabled(pspOff.pspId, false, CLI)).ok);
const brokerOff = await registerPsp(t.services, t, 'Banca Intermediario Spento');
assert.ok((await t.services.pagopaRegistry.psps.setBrokerEnabled('test', brokerOff.head.idBrokerPSP, false, CLI)).ok);
const channelOff = await registerPsp(t.services, t, 'Banca Canale Spento');
assert.ok((await t.services.pagopaRegistry.psps.setChannelEnabled(channelOff.channelId, false, CLI)).ok);
const ecOff = await createEcOrganisation(t, 'Comune Disabilitato');
assert.ok((await t.services.pagopaRegistry.ecs.addEc(ecOff.organisationId, 'test', CLI)).ok);
assert.ok((await t.services.pagopaRegistry.ecs.setEcEnabled(ecOff.organisationId, 'test', false, CLI)).ok);
const linkOff = await t.services.pagopaRegistry.ecs.link(
  { organisationId: ec.organisationId, env: 'test', stationCode, auxDigit: '3', segregationCode: '05', version: '2' },
  CLI,
);
assert.ok(linkOff.ok);
assert.ok((await t.services.pagopaRegistry.ecs.setLinkEnabled(linkOff.value.linkId, false, CLI)).ok);

const ENDPOINT = '/nodo/node-for-psp/v1';
const STACK = /\bat [\w.<>]+ \(|\.ts:\d+|node:internal|Error: /;

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

async function post(body: string | Buffer, headers: Record<string, string>, key = psp.key): Promise<Answer> {
  const res = await t.app.inject({
    method: 'POST',
    url: ENDPOINT,
    payload: body,
    headers: { 'content-type': 'text/xml; charset=utf-8', 'ocp-apim-subscription-key': key, ...headers },
  });
  return { status: res.statusCode, contentType: String(res.headers['content-type']), body: res.body };
}

/** The answer is `op`'s response, KO with `code`: HTTP 200, SOAP, the catalogue's words, no stack. */
function assertKo(res: Answer, op: PspOperation, code: PptFaultCode): FaultBean {
  assert.equal(res.status, 200, res.body);
  assert.equal(res.contentType, 'text/xml; charset=utf-8');
  assert.doesNotMatch(res.body, /<html|<!doctype/i);
  assert.doesNotMatch(res.body, STACK);
  const decoded = decodeResponse(op, res.body);
  assert.ok(decoded.ok, `${op} answer does not decode: ${res.body}`);
  const value = decoded.value as { outcome: string; fault?: FaultBean };
  assert.equal(value.outcome, 'KO', res.body);
  const fault = value.fault;
  assert.ok(fault, res.body);
  assert.equal(fault.faultCode, code, res.body);
  assert.equal(fault.faultString, PPT_FAULTS[code].faultString);
  assert.ok((fault.description ?? '').length > 10, `a description in words: ${res.body}`);
  assert.doesNotMatch(fault.description ?? '', /undefined|\[object/);
  // Italian, then English, as docs/errors.md promises for every fault; one full stop at the end.
  assert.match(fault.description ?? '', /^\S.* \/ \S.*[^.]\.$/su, `Italian / English: ${fault.description}`);
  assert.doesNotMatch(fault.description ?? '', /\.\./, 'one full stop');
  return fault;
}

async function call<O extends PspOperation>(op: O, value: RequestOf<O>, key = psp.key): Promise<Answer> {
  return post(encodeRequest(op, value), { soapaction: `"${op}"` }, key);
}

const verifyOf = (who: Pick<Psp, 'head'>, fiscalCode = ec.fiscalCode, notice = noticeNumber()): RequestOf<'verifyPaymentNotice'> => ({
  ...who.head,
  qrCode: { fiscalCode, noticeNumber: notice },
});
const activateOf = (notice: string, amount = 10_000): RequestOf<'activatePaymentNoticeV2'> => ({ ...psp.head, qrCode: qr(ec, notice), amount });

interface Row {
  code: PptFaultCode;
  when: string;
  op: PspOperation;
  /** Whether the request must reach the EC's station (false: refused before any call). */
  reachesEc: boolean;
  run: () => Promise<Answer>;
  then?: (fault: FaultBean) => void;
}

const ROWS: Row[] = [
  {
    code: 'PPT_AUTENTICAZIONE',
    when: 'wrong channel password',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', { ...verifyOf(psp), password: `${CHANNEL_PASSWORD}x` }),
  },
  {
    code: 'PPT_PSP_SCONOSCIUTO',
    when: 'idPSP not registered',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', { ...verifyOf(psp), idPSP: 'PSP_NESSUNO' }),
  },
  {
    code: 'PPT_PSP_DISABILITATO',
    when: 'PSP disabled',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(pspOff), pspOff.key),
  },
  {
    code: 'PPT_INTERMEDIARIO_PSP_SCONOSCIUTO',
    when: 'idBrokerPSP not registered',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', { ...verifyOf(psp), idBrokerPSP: 'BRK_NESSUNO' }),
  },
  {
    code: 'PPT_INTERMEDIARIO_PSP_DISABILITATO',
    when: 'broker disabled',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(brokerOff), brokerOff.key),
  },
  {
    code: 'PPT_CANALE_SCONOSCIUTO',
    when: 'idChannel not registered',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', { ...verifyOf(psp), idChannel: 'CANALE_NESSUNO' }),
  },
  {
    code: 'PPT_CANALE_DISABILITATO',
    when: 'channel disabled',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(channelOff), channelOff.key),
  },
  {
    code: 'PPT_AUTORIZZAZIONE',
    when: 'idPSP/channel of another organisation',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(pspOff), psp.key),
  },
  {
    code: 'PPT_DOMINIO_SCONOSCIUTO',
    when: 'EC fiscal code not registered',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(psp, '00000000000')),
  },
  {
    code: 'PPT_DOMINIO_DISABILITATO',
    when: 'EC disabled',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(psp, ecOff.fiscalCode)),
  },
  {
    code: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA',
    when: 'no link for the segregation code',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => call('verifyPaymentNotice', verifyOf(psp, ec.fiscalCode, noticeNumber('02'))),
  },
  {
    code: 'PPT_STAZIONE_INT_PA_DISABILITATA',
    when: 'the link is disabled',
    op: 'activatePaymentNoticeV2',
    reachesEc: false,
    run: () => call('activatePaymentNoticeV2', activateOf(noticeNumber('05'))),
  },
  {
    code: 'PPT_STAZIONE_INT_PA_TIMEOUT',
    when: 'the station answers after the timeout',
    op: 'verifyPaymentNotice',
    reachesEc: true,
    run: async () => {
      station.inject({ kind: 'slow', delayMs: 2_000 }, 1);
      return call('verifyPaymentNotice', verifyOf(psp));
    },
  },
  {
    code: 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
    when: 'the station answers HTTP 503',
    op: 'activatePaymentNoticeV2',
    reachesEc: true,
    run: async () => {
      station.inject({ kind: 'http503' }, 1);
      return call('activatePaymentNoticeV2', activateOf(noticeNumber()));
    },
    then: (f) => assert.match(f.description ?? '', /HTTP 503/),
  },
  {
    code: 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
    when: 'the station answers a body that is not XML',
    op: 'verifyPaymentNotice',
    reachesEc: true,
    run: async () => {
      station.inject({ kind: 'malformed' }, 1);
      return call('verifyPaymentNotice', verifyOf(psp));
    },
  },
  {
    code: 'PPT_ERRORE_EMESSO_DA_PAA',
    when: 'the EC answers KO',
    op: 'activatePaymentNoticeV2',
    reachesEc: true,
    run: async () => {
      const notice = noticeNumber();
      station.scenarios.unshift(scenario({ pattern: notice, answer: 'cancelled' }));
      return call('activatePaymentNoticeV2', activateOf(notice));
    },
    then: (f) => {
      assert.deepEqual(
        [f.id, f.originalFaultCode, f.originalFaultString],
        [ec.fiscalCode, 'PAA_PAGAMENTO_ANNULLATO', 'Pagamento in attesa risulta annullato all’Ente Creditore'],
      );
    },
  },
  {
    code: 'PPT_SEMANTICA',
    when: 'the amount activated differs from the EC’s',
    op: 'activatePaymentNoticeV2',
    reachesEc: true,
    run: () => call('activatePaymentNoticeV2', activateOf(noticeNumber(), 9_999)),
  },
  {
    code: 'PPT_TOKEN_SCONOSCIUTO',
    when: 'an outcome for a token never handed out',
    op: 'sendPaymentOutcome',
    reachesEc: false,
    run: () => call('sendPaymentOutcome', { ...psp.head, paymentToken: 'f'.repeat(32), outcome: 'OK', details: OK_DETAILS }),
  },
  {
    code: 'PPT_SINTASSI_EXTRAXSD',
    when: 'outcome OK without details',
    op: 'sendPaymentOutcome',
    reachesEc: false,
    run: () => call('sendPaymentOutcome', { ...psp.head, paymentToken: 'f'.repeat(32), outcome: 'OK' }),
  },
  {
    code: 'PPT_SINTASSI_XSD',
    when: 'a body that is not XML',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => post('<soapenv:Envelope><oops', { soapaction: '"verifyPaymentNotice"' }),
  },
  {
    code: 'PPT_SINTASSI_XSD',
    when: 'a mandatory element missing',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => post(encodeRequest('verifyPaymentNotice', verifyOf(psp)).replace(/<idChannel>[^<]*<\/idChannel>/, ''), { soapaction: '"verifyPaymentNotice"' }),
    then: (f) => assert.match(f.description ?? '', /idChannel/),
  },
  {
    code: 'PPT_SINTASSI_XSD',
    when: 'a DTD declaring an entity',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => {
      const body = encodeRequest('verifyPaymentNotice', verifyOf(psp)).replace(/<idPSP>[^<]*<\/idPSP>/, `<idPSP>&boom;</idPSP>`);
      const withDtd = body.replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl}<!DOCTYPE x [<!ENTITY boom "${psp.head.idPSP}">]>`);
      return post(withDtd, { soapaction: '"verifyPaymentNotice"' });
    },
  },
  {
    code: 'PPT_SOAPACTION_ERRATA',
    when: 'an unknown SOAPAction (the KO names the body’s operation)',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => post(encodeRequest('verifyPaymentNotice', verifyOf(psp)), { soapaction: '"payNothing"' }),
  },
  {
    code: 'PPT_SOAPACTION_ERRATA',
    when: 'a SOAPAction naming another operation than the body',
    op: 'activatePaymentNoticeV2',
    reachesEc: false,
    run: () => post(encodeRequest('verifyPaymentNotice', verifyOf(psp)), { soapaction: '"activatePaymentNoticeV2"' }),
  },
  {
    code: 'PPT_SINTASSI_XSD',
    when: 'a content type other than text/xml',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => post(encodeRequest('verifyPaymentNotice', verifyOf(psp)), { soapaction: '"verifyPaymentNotice"', 'content-type': 'application/json' }),
    then: (f) => assert.match(f.description ?? '', /text\/xml/),
  },
  {
    code: 'PPT_SINTASSI_XSD',
    when: 'a body over the size limit',
    op: 'verifyPaymentNotice',
    reachesEc: false,
    run: () => post(Buffer.alloc(300 * 1024, 0x20), { soapaction: '"verifyPaymentNotice"' }),
    then: (f) => assert.match(f.description ?? '', /256 KiB/),
  },
];

for (const row of ROWS) {
  test(`${row.code}: ${row.when}`, async () => {
    const before = station.requests.length;
    const fault = assertKo(await row.run(), row.op, row.code);
    row.then?.(fault);
    if (row.reachesEc) assert.ok(station.requests.length > before, 'the station was asked');
    else assert.equal(station.requests.length, before, 'refused before any call to the EC');
  });
}

test('PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE: the station is down; the notice is free again once it is back', async () => {
  const notice = noticeNumber();
  await station.stop();
  try {
    const fault = assertKo(await call('activatePaymentNoticeV2', activateOf(notice)), 'activatePaymentNoticeV2', 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE');
    assert.doesNotMatch(fault.description ?? '', /127\.0\.0\.1|localhost|https:/, 'the station’s address is not shown');
  } finally {
    await station.start();
  }
  assert.ok(await activateOk(t.app, psp, ec, notice, 10_000));
});

test('PPT_PAGAMENTO_IN_CORSO while a token is live, PPT_PAGAMENTO_DUPLICATO once paid (activate and verify), PPT_ESITO_GIA_ACQUISITO on a second outcome', async () => {
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, 10_000);
  assertKo(await call('activatePaymentNoticeV2', activateOf(notice)), 'activatePaymentNoticeV2', 'PPT_PAGAMENTO_IN_CORSO');
  const outcome = { ...psp.head, paymentToken: token, outcome: 'OK' as const, details: OK_DETAILS };
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome)).value), 'OK');
  const asked = station.requests.length;
  assertKo(await call('activatePaymentNoticeV2', activateOf(notice)), 'activatePaymentNoticeV2', 'PPT_PAGAMENTO_DUPLICATO');
  assertKo(await call('verifyPaymentNotice', verifyOf(psp, ec.fiscalCode, notice)), 'verifyPaymentNotice', 'PPT_PAGAMENTO_DUPLICATO');
  assert.equal(station.requests.length, asked, 'a paid notice is answered without asking the EC');
  assertKo(await call('sendPaymentOutcome', outcome), 'sendPaymentOutcome', 'PPT_ESITO_GIA_ACQUISITO');
});

test('PPT_SYSTEM_ERROR when the receipts cannot be scheduled: no stack trace, the outcome rolled back, a retry succeeds', async () => {
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, 10_000);
  t.receipts.failNext();
  const outcome = { ...psp.head, paymentToken: token, outcome: 'OK' as const, details: OK_DETAILS };
  const fault = assertKo(await call('sendPaymentOutcome', outcome), 'sendPaymentOutcome', 'PPT_SYSTEM_ERROR');
  assert.doesNotMatch(fault.description ?? '', /interim|refusing/, 'the error itself is logged, not shown');
  const row = await t.database.db.selectFrom('pagopa_payments').select(['state', 'outcome']).where('token', '=', token).executeTakeFirstOrThrow();
  assert.deepEqual(row, { state: 'active', outcome: null }, 'no outcome without its receipts');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome)).value), 'OK');
  assert.ok(t.receipts.scheduled.some((s) => s.paid.token === token));
});

test('a request the node cannot tie to an operation (unknown SOAPAction, no body element) gets a SOAP Client fault with HTTP 200, not HTML', async () => {
  const res = await post('<?xml version="1.0"?><a/>', { soapaction: '"nothing"' });
  assert.equal(res.status, 200);
  assert.equal(res.contentType, 'text/xml; charset=utf-8');
  assert.match(res.body, /<faultcode>[^<]*Client<\/faultcode>/);
  assert.match(res.body, /PPT_/);
  assert.doesNotMatch(res.body, STACK);
  const notFound = await t.app.inject({
    method: 'POST',
    url: `${ENDPOINT}/nope`,
    payload: '<a/>',
    headers: { 'content-type': 'text/xml', 'ocp-apim-subscription-key': psp.key },
  });
  assert.equal(notFound.statusCode, 404);
  assert.match(String(notFound.headers['content-type']), /^text\/xml/);
  assert.doesNotMatch(notFound.body, /<html/i);
});

test('the built-in simulated station\u2019s KO, slow and garbled answers map to the same faults as a real station\u2019s', async () => {
  const [duplicate, slow, garbled] = [noticeNumber(), noticeNumber(), noticeNumber()];
  const sim = await simulatedEc(t.services, t, { name: 'Comune Simulato', scenarios: [] });
  for (const form of [
    payable(duplicate, sim.fiscalCode, '100.00', { answer: 'duplicate' }),
    payable(slow, sim.fiscalCode, '100.00', { delayMs: '2000', delayOn: ['getPayment'] }),
    payable(garbled, sim.fiscalCode, '100.00', { malformedOn: ['verify'] }),
  ]) {
    const added = await t.services.pagopaSimulator.settings.addScenario(sim.organisationId, form, undefined, CLI);
    assert.ok(added.ok, JSON.stringify(added));
  }
  const at = (notice: string) => ({ ...psp.head, qrCode: qr(sim, notice) });
  const paa = assertKo(await call('activatePaymentNoticeV2', { ...at(duplicate), amount: 10_000 }), 'activatePaymentNoticeV2', 'PPT_ERRORE_EMESSO_DA_PAA');
  assert.deepEqual([paa.id, paa.originalFaultCode], [sim.fiscalCode, 'PAA_PAGAMENTO_DUPLICATO']);
  assertKo(await call('activatePaymentNoticeV2', { ...at(slow), amount: 10_000 }), 'activatePaymentNoticeV2', 'PPT_STAZIONE_INT_PA_TIMEOUT');
  assertKo(await call('verifyPaymentNotice', at(garbled)), 'verifyPaymentNotice', 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE');
  // The timed-out activation freed the notice: its row is failed, none is live.
  const rows = await t.database.db.selectFrom('pagopa_payments').select(['state', 'failure_fault_code']).where('notice_number', '=', slow).execute();
  assert.deepEqual(rows, [{ state: 'failed', failure_fault_code: 'PPT_STAZIONE_INT_PA_TIMEOUT' }]);
});
