import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { secondInstance, within1s } from '../support/instances.ts';
import { makeServerPki, startPeer, type Peer } from '../support/tls-peers.ts';
import { CLI } from '../support/subscriptions.ts';
import { organisation } from '../pagopa-registry/support.ts';
import { decodeEcResponse } from '../../src/protocols/pagopa/index.ts';
import { paRequest } from '../support/ec-station.ts';
import { scenarioForm } from '../pagopa-simulator/support.ts';
import { endpoint } from './support.ts';

// The station memory (src/modules/stations/station.memo.ts, issue 15): each instance keeps what a
// station call reads — the station with its approved endpoints, and whether the institution's
// simulated station answers instead — and a change made anywhere (another instance, plain SQL as an
// operator's psql would run) reaches every instance within a second, the instance that made it at
// once. Two instances on one real PostgreSQL, real LISTEN/NOTIFY, real mutual-TLS stations.

const first = await buildTestApp();
const { services: a, database } = first;
const db = database.db;
const b = (await secondInstance(first)).services;

const ec = await organisation(db, 'creditor_institution', { name: 'Comune della Memoria' });
const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Memo Root' });
assert.ok((await a.trust.add('test', pki.root.certPem, { organisationId: ec.id }, CLI)).ok);
const platform = await a.platformCertificates.downloads('test');
const peer = (name: string): Promise<Peer> => startPeer({ leaf: pki.leaf, clientCas: [platform.caPem], reply: () => ({ status: 200, body: name }) });
const [one, two, three] = [await peer('one'), await peer('two'), await peer('three')];

const registered = await a.stations.register(ec.id, 'test', { code: `${ec.taxCode}_01`, primary: endpoint(one.url('/node'), '127.0.0.1', one.port) }, CLI, {
  allowSharedHost: true,
});
assert.ok(registered.ok);
const stationId = registered.value.id;
assert.ok((await a.stations.reviewStation(stationId, 'approve', '', CLI)).ok);

/** A's memory, counting how often one of its lookups had to read the database. */
const memo = a.stationMemo;
const loads = { count: 0 };
const remember = memo.remember.bind(memo);
memo.remember = <T>(key: string, load: () => Promise<T>): Promise<T> =>
  remember(key, () => {
    loads.count++;
    return load();
  });

/** How often A's own services told its memory that they changed a station or a simulator. */
const told = { count: 0 };
const changed = memo.changed.bind(memo);
memo.changed = (): void => {
  told.count++;
  changed();
};

type Services = typeof a;
/** Which peer answered a call to the station through an instance, or the refusal. */
async function answeredBy(services: Services): Promise<string> {
  const sent = await services.stationCaller.send({ organisationId: ec.id, env: 'test', stationId }, { method: 'POST', body: '<x/>' });
  if (!sent.ok) return sent.reason;
  return sent.value.kind === 'response' ? sent.value.body : `failure ${sent.value.code}`;
}
async function simulator(services: Services): Promise<string> {
  const on = await services.pagopaSimulator.isEnabled('test', ec.id);
  return on ? `on v${on.primitiveVersion}` : 'off';
}
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** Both instances keep answers only while they listen (the first lookup starts the listener). */
async function bothListening(): Promise<void> {
  await Promise.all([answeredBy(a), answeredBy(b)]);
  for (let i = 0; i < 200 && !(memo.listening && b.stationMemo.listening); i++) await sleep(10);
  assert.ok(memo.listening && b.stationMemo.listening, 'both instances listen for station changes');
  await Promise.all([answeredBy(a), answeredBy(b), simulator(a), simulator(b)]);
}
async function approveEdit(services: Services, target: Peer): Promise<void> {
  const edited = await services.stations.edit(stationId, { primary: endpoint(target.url('/node'), '127.0.0.1', target.port) }, CLI);
  assert.ok(edited.ok, JSON.stringify(edited));
  assert.ok((await services.stations.reviewStation(stationId, 'approve', '', CLI)).ok);
}

test('a station is read once and then called from memory; a check\u2019s bookkeeping does not make any instance forget it', async () => {
  await bothListening();
  changed();
  loads.count = 0;
  for (let i = 0; i < 3; i++) assert.equal(await answeredBy(a), 'one');
  assert.equal(loads.count, 1, 'read once, then answered from memory');
  // What every reachability check writes: not a column a call reads, so no notification.
  await db.updateTable('stations').set({ last_check_at: new Date(), connection_state: 'verified' }).where('id', '=', stationId).execute();
  await sleep(300);
  assert.equal(await answeredBy(a), 'one');
  assert.equal(loads.count, 1, 'still answered from memory after the check was recorded');
});

test('an edit approved on one instance is called at its new address by the other within a second, by itself at once', async () => {
  await bothListening();
  await approveEdit(b, two);
  assert.equal(await answeredBy(b), 'two', 'the instance that approved it');
  await within1s(() => answeredBy(a), 'two', 'the other instance');
  const before = told.count;
  await approveEdit(a, three);
  assert.ok(told.count >= before + 2, 'the edit and the approval each made the instance forget at once, not at its notification');
  assert.equal(await answeredBy(a), 'three');
  await within1s(() => answeredBy(b), 'three', 'the other instance');
  assert.ok(three.requests.length >= 2 && two.requests.length >= 2);
});

test('plain SQL: an approval withdrawn, or its version superseded, stops calls on every instance within a second', async () => {
  await bothListening();
  const { approved_version_id: approved } = await db.selectFrom('stations').select('approved_version_id').where('id', '=', stationId).executeTakeFirstOrThrow();
  assert.ok(approved);
  await db.updateTable('stations').set({ approved_version_id: null }).where('id', '=', stationId).execute();
  await within1s(() => answeredBy(a), 'not_approved', 'instance A, approval withdrawn by SQL');
  await within1s(() => answeredBy(b), 'not_approved', 'instance B, approval withdrawn by SQL');
  await db.updateTable('stations').set({ approved_version_id: approved }).where('id', '=', stationId).execute();
  await within1s(() => answeredBy(a), 'three', 'approved again');
  await db.updateTable('station_versions').set({ state: 'superseded' }).where('id', '=', approved).execute();
  await within1s(() => answeredBy(a), 'not_approved', 'instance A, version superseded by SQL');
  await within1s(() => answeredBy(b), 'not_approved', 'instance B, version superseded by SQL');
  await db.updateTable('station_versions').set({ state: 'approved' }).where('id', '=', approved).execute();
  await within1s(() => answeredBy(b), 'three', 'its version approved again');
});

test('a simulated station switched on or off on one instance, or by SQL, is what the other asks within a second', async () => {
  await bothListening();
  changed();
  loads.count = 0;
  assert.equal(await simulator(a), 'off');
  assert.equal(await simulator(a), 'off');
  assert.equal(loads.count, 1, 'an institution without a simulator is kept too');
  const switched = await b.pagopaSimulator.settings.updateSettings(ec.id, { enabled: true, primitiveVersion: 1 }, CLI);
  assert.ok(switched.ok);
  assert.equal(await simulator(b), 'on v1', 'the instance that switched it on');
  await within1s(() => simulator(a), 'on v1', 'the other instance');
  await db.updateTable('pagopa_simulators').set({ enabled: false }).where('organisation_id', '=', ec.id).execute();
  await within1s(() => simulator(a), 'off', 'instance A, switched off by SQL');
  await within1s(() => simulator(b), 'off', 'instance B, switched off by SQL');
  const before = told.count;
  assert.ok((await a.pagopaSimulator.settings.updateSettings(ec.id, { enabled: true, primitiveVersion: 2 }, CLI)).ok);
  assert.equal(told.count, before + 1, 'the instance that changed it forgot at once');
  assert.equal(await simulator(a), 'on v2');
});

test('another organisation never gets a station its owner\u2019s call left in memory; a station moved by SQL is refused to its old owner within a second', async () => {
  await bothListening();
  const other = await organisation(db, 'creditor_institution', { name: 'Comune Altrui' });
  const callAs = async (services: Services, organisationId: string): Promise<string> => {
    const sent = await services.stationCaller.send({ organisationId, env: 'test', stationId, responseTimeoutMs: 500 }, { method: 'POST', body: '<x/>' });
    return sent.ok ? 'called' : sent.reason;
  };
  assert.equal(await answeredBy(a), 'three', 'kept for its owner');
  assert.equal(await callAs(a, other.id), 'not_found');
  assert.equal(await callAs(b, other.id), 'not_found');
  await db.updateTable('stations').set({ organisation_id: other.id }).where('id', '=', stationId).execute();
  await within1s(() => answeredBy(a), 'not_found', 'instance A, the old owner');
  await within1s(() => answeredBy(b), 'not_found', 'instance B, the old owner');
  await db.updateTable('stations').set({ organisation_id: ec.id }).where('id', '=', stationId).execute();
  await within1s(() => answeredBy(a), 'three', 'its owner again');
});

test('timeouts changed by SQL are used within a second', async () => {
  await bothListening();
  const silent = await startPeer({ leaf: pki.leaf, clientCas: [platform.caPem], reply: () => undefined });
  const made = await a.stations.register(ec.id, 'test', { code: `${ec.taxCode}_02`, primary: endpoint(silent.url('/node'), '127.0.0.1', silent.port) }, CLI, {
    allowSharedHost: true,
  });
  assert.ok(made.ok);
  assert.ok((await a.stations.reviewStation(made.value.id, 'approve', '', CLI)).ok);
  await a.stations.configure(made.value.id, { responseTimeoutMs: 4000 }, CLI);
  const timedOut = async (override?: number): Promise<string> => {
    const sent = await b.stationCaller.send(
      { organisationId: ec.id, env: 'test', stationId: made.value.id, ...(override ? { responseTimeoutMs: override } : {}) },
      { method: 'POST', body: '<x/>' },
    );
    if (!sent.ok || sent.value.kind !== 'failure') return JSON.stringify(sent);
    return `${sent.value.code} after ${sent.value.durationMs < 2000 ? 'less' : 'more'} than 2 s`;
  };
  // Kept by B with its configured 4 s (this call asks for 200 ms itself).
  assert.equal(await timedOut(200), 'response_timeout after less than 2 s');
  await db.updateTable('stations').set({ response_timeout_ms: 300 }).where('id', '=', made.value.id).execute();
  await sleep(100);
  // A stale memory would wait the 4 s it kept.
  assert.equal(await timedOut(), 'response_timeout after less than 2 s');
});

test('a scenario added on one instance is what the other\u2019s simulated station answers within a second', async () => {
  await bothListening();
  assert.equal(await simulator(a), 'on v2');
  const verify = async (services: Services): Promise<string> => {
    const sent = await services.pagopaSimulator.send(
      { env: 'test', ecOrganisationId: ec.id, responseTimeoutMs: 3000 },
      paRequest('paVerifyPaymentNotice', { ec: ec.taxCode, noticeNumber: '410000000000000001' }),
    );
    if (sent.kind !== 'response') return `failure ${sent.code}`;
    const decoded = decodeEcResponse('paVerifyPaymentNotice', sent.body);
    return decoded.kind === 'ko' ? decoded.fault.faultCode : decoded.kind;
  };
  const before = await verify(a);
  assert.notEqual(before, 'PAA_PAGAMENTO_SCADUTO');
  assert.ok((await b.pagopaSimulator.settings.addScenario(ec.id, scenarioForm('41*', ec.taxCode, { answer: 'expired' }), undefined, CLI)).ok);
  await within1s(() => verify(a), 'PAA_PAGAMENTO_SCADUTO', 'instance A, after B added the scenario');
});

test('a kept answer cannot be changed by whoever read it', async () => {
  await bothListening();
  const key = JSON.stringify(['memo-test']);
  const kept = await memo.remember(key, async () => ({ approved: { primary: { url: 'https://one.example/node' } }, list: [{ n: 1 }] }));
  assert.throws(() => Object.assign(kept.approved.primary, { url: 'https://elsewhere.example/' }), TypeError);
  assert.throws(() => kept.list.push({ n: 2 }), TypeError);
  const again = await memo.remember(key, async () => ({ approved: { primary: { url: 'not read' } }, list: [] }));
  assert.equal(again.approved.primary.url, 'https://one.example/node');
});

test('nothing is kept once the memory stopped listening, and a lookup does not start it again', async () => {
  await bothListening();
  await memo.stop();
  loads.count = 0;
  for (let i = 0; i < 3; i++) assert.equal(await answeredBy(a), 'three');
  await sleep(100);
  assert.equal(memo.listening, false, 'a lookup after stop opens no listener');
  assert.equal(loads.count, 3, 'each call read the database');
  await memo.start();
  for (let i = 0; i < 200 && !memo.listening; i++) await sleep(10);
  assert.ok(memo.listening);
});
