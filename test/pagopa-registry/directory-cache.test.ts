import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { secondInstance, within1s } from '../support/instances.ts';
import { CLI } from '../support/subscriptions.ts';
import { formatNoticeNumber } from '../../src/protocols/pagopa/index.ts';
import type { AuthorisePspInput, PagopaDirectory } from '../../src/modules/pagopa-registry/index.ts';
import { createRegistryCache, databaseLookups, REGISTRY_CHANNEL, type DirectoryLookups } from '../../src/modules/pagopa-registry/directory.cache.ts';
import { organisation, station } from './support.ts';

// The directory's memory of the registry (directory.cache.ts, issue 15): each instance answers the
// node's lookups from memory, and a change made anywhere — another instance, a plain SQL statement
// as the CLI or an operator's psql would run — reaches every instance within a second; the instance
// that made it at once. Two instances on one real PostgreSQL, real LISTEN/NOTIFY.

const first = await buildTestApp();
const { services, database } = first;
const db = database.db;
const a = services.pagopaRegistry;
const b = (await secondInstance(first)).services.pagopaRegistry;

const psp = await organisation(db, 'psp', { name: 'Banca in Memoria' });
const ec = await organisation(db, 'creditor_institution', { name: 'Comune in Memoria' });
const added = await a.psps.addPsp(
  { organisationId: psp.id, env: 'test', idPsp: 'MEM_01', idBrokerPsp: 'MEMBRK', idChannel: 'MEMBRK_01', password: 'pwdpwdpwd' },
  CLI,
);
assert.ok(added.ok);
const { pspId, channelId } = added.value;
await station(services, ec.id, `${ec.taxCode}_01`);
const linked = await a.ecs.link({ organisationId: ec.id, env: 'test', stationCode: `${ec.taxCode}_01`, auxDigit: '3', segregationCode: '01' }, CLI);
assert.ok(linked.ok);
const { linkId } = linked.value;
const noticeNumber = formatNoticeNumber({ auxDigit: 3, segregationCode: '01', iuvBase: '1111111111222' });

const request: AuthorisePspInput = {
  env: 'test',
  organisationId: psp.id,
  idPSP: 'MEM_01',
  idBrokerPSP: 'MEMBRK',
  idChannel: 'MEMBRK_01',
  password: 'pwdpwdpwd',
};
const authorised = async (directory: PagopaDirectory, change: Partial<AuthorisePspInput> = {}): Promise<string> => {
  const verdict = await directory.authorisePsp({ ...request, ...change });
  return verdict.ok ? 'OK' : verdict.faultCode;
};
const routed = async (directory: PagopaDirectory): Promise<string> => {
  const outcome = await directory.routeNotice({ env: 'test', fiscalCode: ec.taxCode, noticeNumber });
  return outcome.ok ? 'OK' : outcome.faultCode;
};
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Both directories keep answers only while they listen (the first lookup starts the listener). */
async function bothListening(): Promise<void> {
  await authorised(a);
  await authorised(b);
  for (let i = 0; i < 200 && !(a.cache.listening && b.cache.listening); i++) await sleep(10);
  assert.ok(a.cache.listening && b.cache.listening, 'both instances listen for registry changes');
  // Now kept by both: what follows is answered from memory until a change drops it.
  await Promise.all([authorised(a), authorised(b), routed(a), routed(b)]);
}

test('a PSP or channel disabled, or a channel password replaced, on one instance is refused on the other within a second', async () => {
  await bothListening();
  assert.equal(await authorised(a), 'OK');
  assert.equal(await authorised(a), 'OK', 'answered from memory');

  assert.ok((await b.psps.setPspEnabled(pspId, false, CLI)).ok);
  assert.equal(await authorised(b), 'PPT_PSP_DISABILITATO', 'the instance that made the change refuses at once');
  await within1s(() => authorised(a), 'PPT_PSP_DISABILITATO', 'the PSP disabled on the other instance');
  assert.ok((await b.psps.setPspEnabled(pspId, true, CLI)).ok);
  await within1s(() => authorised(a), 'OK', 'the PSP enabled again');

  assert.ok((await b.psps.setChannelEnabled(channelId, false, CLI)).ok);
  await within1s(() => authorised(a), 'PPT_CANALE_DISABILITATO', 'the channel disabled');
  assert.ok((await b.psps.setChannelEnabled(channelId, true, CLI)).ok);
  await within1s(() => authorised(a), 'OK', 'the channel enabled again');

  assert.ok((await b.psps.setChannelPassword(channelId, { password: 'brandnew99' }, CLI)).ok);
  await within1s(() => authorised(a), 'PPT_AUTENTICAZIONE', 'the old password');
  assert.equal(await authorised(a, { password: 'brandnew99' }), 'OK');
});

test('routing: a link disabled or removed on one instance, or an EC disabled with plain SQL, reaches the other within a second', async () => {
  await bothListening();
  assert.equal(await routed(a), 'OK');
  assert.ok((await b.ecs.setLinkEnabled(linkId, false, CLI)).ok);
  assert.equal(await routed(b), 'PPT_STAZIONE_INT_PA_DISABILITATA');
  await within1s(() => routed(a), 'PPT_STAZIONE_INT_PA_DISABILITATA', 'the link disabled');
  assert.ok((await b.ecs.setLinkEnabled(linkId, true, CLI)).ok);
  await within1s(() => routed(a), 'OK', 'the link enabled again');

  // Not through any instance's services: the trigger alone tells both.
  await db.updateTable('pagopa_ecs').set({ enabled: false, disabled_by: 'administrator' }).where('organisation_id', '=', ec.id).execute();
  await within1s(() => routed(a), 'PPT_DOMINIO_DISABILITATO', 'instance A, EC disabled by SQL');
  await within1s(() => routed(b), 'PPT_DOMINIO_DISABILITATO', 'instance B, EC disabled by SQL');
  await db.updateTable('pagopa_ecs').set({ enabled: true, disabled_by: null }).where('organisation_id', '=', ec.id).execute();
  await within1s(() => routed(a), 'OK', 'the EC enabled again');

  assert.ok((await b.ecs.removeLink(linkId, CLI)).ok);
  await within1s(() => routed(a), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA', 'the link removed');
});

/** Lookups that count how often they reached the database. */
function counted(lookups: DirectoryLookups) {
  const calls = { psp: 0, ec: 0, links: 0 };
  const wrapped: DirectoryLookups = {
    pspRows: (key) => (calls.psp++, lookups.pspRows(key)),
    ecByFiscalCode: (env, code) => (calls.ec++, lookups.ecByFiscalCode(env, code)),
    routeLinks: (env, id) => (calls.links++, lookups.routeLinks(env, id)),
  };
  return { calls, wrapped };
}

test('the cache: one database read per lookup while listening, none kept before or without the listener, dropped on a notification', async () => {
  const { calls, wrapped } = counted(databaseLookups(db));
  const cache = createRegistryCache({ lookups: wrapped, databaseUrl: database.url });
  // The first lookup starts the listener but is not kept: it may predate the LISTEN.
  assert.equal((await cache.ecByFiscalCode('test', ec.taxCode))?.organisation_id, ec.id);
  for (let i = 0; i < 200 && !cache.listening; i++) await sleep(10);
  assert.ok(cache.listening);
  const before = calls.ec;
  await cache.ecByFiscalCode('test', ec.taxCode);
  const kept = await cache.ecByFiscalCode('test', ec.taxCode);
  assert.equal(calls.ec, before + 1, 'read once, then from memory');
  assert.ok(Object.isFrozen(kept), 'a shared answer cannot be changed by one caller');
  assert.throws(() => {
    (kept as { enabled: boolean }).enabled = false;
  }, TypeError);
  // Unknown codes are kept too (junk cannot make every request reach the database).
  assert.equal(await cache.ecByFiscalCode('test', '00000000000'), undefined);
  assert.equal(await cache.ecByFiscalCode('test', '00000000000'), undefined);
  assert.equal(calls.ec, before + 2);

  await sql`SELECT pg_notify(${REGISTRY_CHANNEL}, 'test')`.execute(db);
  const deadline = Date.now() + 1000;
  while (calls.ec === before + 2 && Date.now() < deadline) {
    await cache.ecByFiscalCode('test', ec.taxCode);
    await sleep(10);
  }
  assert.ok(calls.ec > before + 2, 'a notification drops what was kept');
  await cache.stop();
  assert.equal(cache.listening, false);
  const stoppedAt = calls.ec;
  await cache.ecByFiscalCode('test', ec.taxCode);
  await cache.ecByFiscalCode('test', ec.taxCode);
  assert.equal(calls.ec, stoppedAt + 2, 'not listening: every lookup reads the database');

  const without = counted(databaseLookups(db));
  const uncached = createRegistryCache({ lookups: without.wrapped, databaseUrl: undefined });
  for (let i = 0; i < 3; i++) await uncached.routeLinks('test', ec.id);
  assert.equal(without.calls.links, 3, 'without a database URL nothing is kept');
});

test('the cache: a lookup that was reading while the registry changed does not keep its answer', async () => {
  const { calls, wrapped } = counted(databaseLookups(db));
  let release: (() => void) | undefined;
  const gate = new Promise<void>((done) => {
    release = done;
  });
  let hold = false;
  const slow: DirectoryLookups = {
    ...wrapped,
    pspRows: async (key) => {
      const rows = await wrapped.pspRows(key);
      if (hold) await gate;
      return rows;
    },
  };
  const cache = createRegistryCache({ lookups: slow, databaseUrl: database.url });
  await cache.start();
  for (let i = 0; i < 200 && !cache.listening; i++) await sleep(10);
  assert.ok(cache.listening);
  const key = { env: 'test' as const, idPSP: 'MEM_01', idBrokerPSP: 'MEMBRK', idChannel: 'MEMBRK_01' };
  hold = true;
  const reading = cache.pspRows(key);
  await sleep(20);
  cache.changed(); // the registry changed while the read was in flight
  hold = false;
  release?.();
  await reading;
  const after = calls.psp;
  await cache.pspRows(key);
  assert.equal(calls.psp, after + 1, 'the answer read before the change was not kept');
  await cache.pspRows(key);
  assert.equal(calls.psp, after + 1, 'the fresh one is');
  await cache.stop();
});
