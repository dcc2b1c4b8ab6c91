import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKo } from '../../src/protocols/pagopa/index.ts';
import { judgeAnswer } from '../../src/modules/pagopa-receipts/index.ts';
import { judgeEcResult, refusalVerdict } from '../../src/modules/pagopa-node/index.ts';
import type { OutboundResult } from '../../src/modules/outbound/index.ts';
import { failureText, proposalOutcomeText } from '../../src/views/shared/node-texts.ts';
import { renderMail } from '../../src/views/mail/index.ts';

// Each stored English text, made by its real producer, reads in Italian on an Italian page, with what
// it quotes kept as it came; English pages and texts no template knows show the text as stored. When a
// producer's wording changes, this fails until node-texts.ts follows.

const response = (status: number, body: string): OutboundResult => ({
  kind: 'response',
  status,
  headers: {},
  body,
  bodyTruncated: false,
  endpoint: 'primary',
  durationMs: 3,
});
const refused: OutboundResult = {
  kind: 'failure',
  category: 'unreachable',
  code: 'connection_refused',
  message: 'The connection to ec.example at 203.0.113.7:9443 was refused: nothing accepts connections on that port.',
  endpoint: 'primary',
  durationMs: 2,
};
const party = { fiscalCode: '15376371009', stationCode: '15376371009_01' };

function italian(english: string | null | undefined): string {
  assert.ok(english, 'the producer wrote a text');
  assert.equal(failureText('en', english), english, 'English pages show it as stored');
  const it = failureText('it', english);
  assert.notEqual(it, english, `no Italian for: ${english}`);
  return it;
}

test('receipt attempts: a refused connection, an HTTP status, a KO, an answer that is not the response', () => {
  assert.equal(
    italian(judgeAnswer('paSendRT', refused).error),
    'stazione non raggiungibile (connection_refused): «The connection to ec.example at 203.0.113.7:9443 was refused: nothing accepts connections on that port.»',
  );
  assert.equal(italian(judgeAnswer('paSendRT', response(503, 'busy')).error), 'la stazione ha risposto HTTP 503');
  const ko = encodeKo('paSendRTV2', { faultCode: 'PAA_SYSTEM_ERROR', faultString: 'errore', id: party.fiscalCode, description: 'Database <giù>' });
  assert.equal(italian(judgeAnswer('paSendRTV2', response(200, ko)).error), 'l’ente ha risposto KO PAA_SYSTEM_ERROR: «Database <giù>»');
  assert.match(italian(judgeAnswer('paSendRT', response(200, '<html>hello</html>')).error), /^la risposta della stazione non è una risposta paSendRT: «.+»$/);
});

test('outbound exchanges: a refused connection, an HTTP status, an unreadable answer, the station caller\u2019s refusals', () => {
  const failed = judgeEcResult('paVerifyPaymentNotice', refused, party);
  assert.ok(failed.kind === 'fault');
  assert.match(italian(failed.error), /^stazione non raggiungibile \(connection_refused\): «The connection to ec\.example/);
  const status = judgeEcResult('paVerifyPaymentNotice', response(500, 'x'), party);
  assert.ok(status.kind === 'fault');
  assert.equal(italian(status.error), 'la stazione ha risposto HTTP 500');
  const malformed = judgeEcResult('paVerifyPaymentNotice', response(200, '<not-soap/>'), party);
  assert.ok(malformed.kind === 'fault');
  assert.match(italian(malformed.error), /^risposta non valida: «.+»$/);
  for (const why of ['not_found', 'not_approved'] as const) {
    const verdict = refusalVerdict(why, party);
    assert.ok(verdict.kind === 'fault');
    assert.match(italian(verdict.error), /^la stazione /);
  }
});

test('proposal outcomes, and texts no template knows', () => {
  assert.equal(proposalOutcomeText('it', 'subscription sub_1 is active'), 'sottoscrizione sub_1: attiva');
  assert.equal(proposalOutcomeText('it', 'station sta_1 approved'), 'stazione sta_1 approvata');
  assert.equal(
    proposalOutcomeText('it', 'secondary key key_1 waits to be revealed by the referent'),
    'chiave secondaria key_1: in attesa che il referente la mostri',
  );
  assert.equal(proposalOutcomeText('en', 'subscription sub_1 is active'), 'subscription sub_1 is active');
  assert.equal(failureText('it', 'something only an older version wrote'), 'something only an older version wrote');
  assert.equal(failureText('it', ''), '');
});

test('the e-mail telling an Italian institution a receipt was given up says its last failure in Italian', () => {
  const params = {
    firstName: 'Rita',
    receiptId: 'rct_1',
    noticeNumber: '302000000000000001',
    organisationName: 'Comune',
    environment: 'test',
    destination: '15376371009_01',
    attempts: '9',
    firstAttemptAt: '2026-12-01T10:00:00.000Z',
    lastError: 'the station answered HTTP 503',
    link: 'https://varco.example/portal/pagopa/receipts/rct_1',
  };
  assert.match(renderMail('pagopa_receipt_undelivered', 'it', params).text, /L’ultimo errore: la stazione ha risposto HTTP 503\./);
  assert.match(renderMail('pagopa_receipt_undelivered', 'en', params).text, /The last failure: the station answered HTTP 503\./);
});
