import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { formatNoticeNumber } from '../../src/protocols/pagopa/index.ts';
import { organisation, station } from './support.ts';

// `npx varco psp …` and `npx varco ec …` as an operator runs them, against the database (and master
// key) of an app built in this process, which then answers the node's questions.

const { config, services, database, masterKey } = await buildTestApp();
const db = database.db;
const registry = services.pagopaRegistry;
const varco = (...args: string[]) =>
  runCliInProcess(args, {
    DATABASE_URL: database.url,
    VARCO_DATA_DIR: config.dataDir,
    VARCO_LOG_LEVEL: 'warn',
    VARCO_MASTER_KEY: masterKey.toString('base64'),
  });

const psp = await organisation(db, 'psp', { name: 'Banca Comandi' });
const ec = await organisation(db, 'creditor_institution', { name: 'Comune Comandi', taxCode: '12345678903' });
const partner = await organisation(db, 'technology_partner', { name: 'Partner Comandi' });
await station(services, ec.id, '12345678903_01');
await station(services, partner.id, `${partner.taxCode}_07`);
const file = async (name: string, content: string) => {
  const path = join(config.dataDir, name);
  await writeFile(path, content);
  return path;
};
const passwordFile = await file('channel.pw', 'pwdpwdpwd\n');
const pspArgs = ['--org', psp.id, '--env', 'test', '--psp-id', 'COMANDI_01', '--broker-id', '97735020584'];
/**
 * The CLI runs as a process of its own would (its own container): this instance's directory cache
 * hears of its changes by notification, within moments (directory.cache.ts). Reads until `done`
 * (at most a second) and returns the last answer, for the caller to assert.
 */
async function soon<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 1000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await read();
  }
  return value;
}
const authorise = (password = 'pwdpwdpwd', idChannel = '97735020584_03') =>
  registry.authorisePsp({ env: 'test', organisationId: psp.id, idPSP: 'COMANDI_01', idBrokerPSP: '97735020584', idChannel, password });

test('psp add registers the PSP, its broker and a channel; again, it adds a channel; the password is never printed', async () => {
  const added = await varco('psp', 'add', ...pspArgs, '--channel-id', '97735020584_03', '--channel-password-file', passwordFile);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /PSP COMANDI_01 registered \(psp_\w+\) with broker 97735020584; channel 97735020584_03 added \(chn_\w+\) in test\./);
  const more = await varco('psp', 'add', ...pspArgs, '--channel-id', '97735020584_04', '--channel-password-file', passwordFile, '--json');
  assert.equal(more.code, 0, more.stderr);
  assert.deepEqual((JSON.parse(more.stdout) as { pspCreated: boolean; brokerCreated: boolean }).pspCreated, false);
  assert.equal((await authorise()).ok, true);
  const list = await varco('psp', 'list', '--org', psp.id);
  assert.match(list.stdout, /COMANDI_01\s+broker 97735020584 \(enabled\)\s+enabled\s+Banca Comandi/);
  assert.match(list.stdout, /channel 97735020584_03\s+enabled/);
  assert.match(list.stdout, /channel 97735020584_04\s+enabled/);
  const json = await varco('psp', 'list', '--env', 'test', '--json');
  assert.equal((JSON.parse(json.stdout) as Array<{ channels: unknown[] }>)[0]?.channels.length, 2);
  for (const run of [added, more, list, json]) assert.ok(!`${run.stdout}${run.stderr}`.includes('pwdpwdpwd') && !run.stdout.includes('argon2'));
});

test('psp add refusals exit 64 with every reason', async () => {
  const missing = await varco('psp', 'add', ...pspArgs, '--channel-id', 'X_01');
  assert.equal(missing.code, 64);
  assert.match(missing.stderr, /--channel-password-file is required/);
  const unreadable = await varco('psp', 'add', ...pspArgs, '--channel-id', 'X_01', '--channel-password-file', join(config.dataDir, 'nope.pw'));
  assert.equal(unreadable.code, 64);
  assert.match(unreadable.stderr, /cannot read the file given as --channel-password-file \(.*nope\.pw\): no such file\n$/);
  const bad = await varco(
    'psp',
    'add',
    '--org',
    psp.id,
    '--env',
    'test',
    '--psp-id',
    'bad id',
    '--broker-id',
    '97735020584',
    '--channel-id',
    'X_01',
    '--channel-password-file',
    await file('short.pw', 'short\n'),
  );
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /PSP not registered:\n {2}idPSP must be 1–35 letters/);
  assert.match(bad.stderr, /The channel password must be 8–15 characters/);
  const taken = await varco(
    'psp',
    'add',
    '--org',
    partner.id,
    '--env',
    'test',
    '--psp-id',
    'COMANDI_01',
    '--broker-id',
    'PARTNER',
    '--channel-id',
    'PARTNER_01',
    '--channel-password-file',
    passwordFile,
  );
  assert.equal(taken.code, 64);
  assert.match(taken.stderr, /This idPSP is registered by another organisation in this environment/);
  const wrongType = await varco(
    'psp',
    'add',
    '--org',
    ec.id,
    '--env',
    'test',
    '--psp-id',
    'EC_PSP',
    '--broker-id',
    'EC_BRK',
    '--channel-id',
    'EC_01',
    '--channel-password-file',
    passwordFile,
  );
  assert.match(wrongType.stderr, /PSP records belong to an organisation of type psp or technology_partner/);
});

test('psp disable/enable act on a PSP, a broker or a channel; psp password replaces a channel\u2019s password', async () => {
  assert.equal((await varco('psp', 'disable', '--env', 'test', '--channel-id', '97735020584_03')).code, 0);
  assert.deepEqual(await soon(authorise, (v) => !v.ok), {
    ok: false,
    faultCode: 'PPT_CANALE_DISABILITATO',
    description: 'Il canale 97735020584_03 è disabilitato. / Channel 97735020584_03 is disabled.',
  });
  assert.equal((await varco('psp', 'enable', '--env', 'test', '--channel-id', '97735020584_03')).code, 0);
  assert.equal((await varco('psp', 'disable', '--env', 'test', '--broker-id', '97735020584')).code, 0);
  const brokerOff = await soon(authorise, (v) => !v.ok);
  assert.equal(brokerOff.ok ? 'OK' : brokerOff.faultCode, 'PPT_INTERMEDIARIO_PSP_DISABILITATO');
  assert.equal((await varco('psp', 'enable', '--env', 'test', '--broker-id', '97735020584')).code, 0);
  const both = await varco('psp', 'disable', '--env', 'test', '--psp-id', 'COMANDI_01', '--channel-id', '97735020584_03');
  assert.equal(both.code, 64);
  assert.match(both.stderr, /give exactly one of --psp-id, --broker-id, --channel-id/);
  assert.equal((await varco('psp', 'disable', '--env', 'prod', '--psp-id', 'COMANDI_01')).code, 64, 'no such PSP in prod');
  const replaced = await varco(
    'psp',
    'password',
    '--env',
    'test',
    '--channel-id',
    '97735020584_03',
    '--channel-password-file',
    await file('new.pw', 'newpass-77\n'),
  );
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal((await soon(authorise, (v) => !v.ok)).ok, false, 'the old password is refused');
  assert.equal((await authorise('newpass-77')).ok, true);
});

const noticeSeg01 = formatNoticeNumber({ auxDigit: 3, segregationCode: '01', iuvBase: '0000000000001' });
const noticeApp07 = formatNoticeNumber({ auxDigit: 0, applicationCode: '07', iuvBase: '0000000000001' });
const routeOf = async (noticeNumber: string) => {
  const route = await registry.routeNotice({ env: 'test', fiscalCode: '12345678903', noticeNumber });
  return route.ok ? route.route.stationCode : route.faultCode;
};

test('ec link links the EC\u2019s own station 12345678903_01; a partner\u2019s station only with --partner-station', async () => {
  const linked = await varco(
    'ec',
    'link',
    '--org',
    ec.id,
    '--env',
    'test',
    '--station',
    '12345678903_01',
    '--aux-digit',
    '3',
    '--segregation-code',
    '01',
    '--json',
  );
  assert.equal(linked.code, 0, linked.stderr);
  assert.match((JSON.parse(linked.stdout) as { linkId: string }).linkId, /^ecl_/);
  assert.equal(
    await soon(
      () => routeOf(noticeSeg01),
      (v) => v === '12345678903_01',
    ),
    '12345678903_01',
  );
  const args = [
    'ec',
    'link',
    '--org',
    ec.id,
    '--env',
    'test',
    '--station',
    `${partner.taxCode}_07`,
    '--aux-digit',
    '0',
    '--application-code',
    '07',
    '--version',
    '2',
  ];
  const refused = await varco(...args);
  assert.equal(refused.code, 64);
  assert.match(refused.stderr, /The station belongs to another organisation/);
  assert.match(refused.stderr, /--partner-station/);
  assert.equal((await varco(...args, '--partner-station')).code, 0);
  assert.equal(
    await soon(
      () => routeOf(noticeApp07),
      (v) => v === `${partner.taxCode}_07`,
    ),
    `${partner.taxCode}_07`,
  );
  const noCode = await varco('ec', 'link', '--org', ec.id, '--env', 'test', '--station', '12345678903_01', '--aux-digit', '3');
  assert.match(noCode.stderr, /Aux digit 3 needs a two-digit segregation code/);
  const twoCodes = await varco(
    'ec',
    'link',
    '--org',
    ec.id,
    '--env',
    'test',
    '--station',
    '12345678903_01',
    '--aux-digit',
    '3',
    '--segregation-code',
    '02',
    '--application-code',
    '02',
  );
  assert.match(twoCodes.stderr, /A segregation code goes only with aux digit 3/);
  const again = await varco('ec', 'link', '--org', ec.id, '--env', 'test', '--station', '12345678903_01', '--aux-digit', '3', '--segregation-code', '01');
  assert.match(again.stderr, /already has a station for this aux digit and code/);
});

test('ec list, disable/enable of a link and of the EC, unlink, and ec add', async () => {
  const list = await varco('ec', 'list', '--org', ec.id);
  assert.match(list.stdout, /12345678903\s+enabled\s+Comune Comandi/);
  assert.match(list.stdout, /aux 3 segregation 01\s+-> 12345678903_01 \(v1, Comune Comandi\)\s+enabled/);
  assert.match(list.stdout, /aux 0 application 07\s+-> \d{11}_07 \(v2, Partner Comandi\)/);
  const links =
    (JSON.parse((await varco('ec', 'list', '--env', 'test', '--json')).stdout) as Array<{ links: Array<{ id: string; auxDigit: number }> }>)[0]?.links ?? [];
  const seg = links.find((l) => l.auxDigit === 3)?.id ?? '';
  assert.equal((await varco('ec', 'disable', '--link', seg)).code, 0);
  assert.equal(
    await soon(
      () => routeOf(noticeSeg01),
      (v) => v === 'PPT_STAZIONE_INT_PA_DISABILITATA',
    ),
    'PPT_STAZIONE_INT_PA_DISABILITATA',
  );
  assert.equal((await varco('ec', 'enable', '--link', seg)).code, 0);
  assert.equal((await varco('ec', 'disable', '--org', ec.id, '--env', 'test')).code, 0);
  assert.equal(
    await soon(
      () => routeOf(noticeSeg01),
      (v) => v === 'PPT_DOMINIO_DISABILITATO',
    ),
    'PPT_DOMINIO_DISABILITATO',
  );
  assert.match((await varco('ec', 'list', '--org', ec.id)).stdout, /12345678903\s+DISABLED by administrator\s+Comune Comandi/);
  assert.equal((await varco('ec', 'enable', '--org', ec.id, '--env', 'test')).code, 0);
  assert.equal((await varco('ec', 'unlink', seg)).code, 0);
  assert.equal(
    await soon(
      () => routeOf(noticeSeg01),
      (v) => v === 'PPT_STAZIONE_INT_PA_SCONOSCIUTA',
    ),
    'PPT_STAZIONE_INT_PA_SCONOSCIUTA',
  );
  assert.equal((await varco('ec', 'unlink', seg)).code, 64, 'already gone');
  const added = await varco('ec', 'add', '--org', ec.id, '--env', 'prod');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /registered\./);
  assert.equal(
    (
      await soon(
        () => registry.isEc('prod', '12345678903'),
        (v) => v !== undefined,
      )
    )?.organisationId,
    ec.id,
  );
  assert.match((await varco('ec', 'add', '--org', psp.id, '--env', 'test')).stderr, /type creditor_institution/);
  const audited = await db.selectFrom('audit_log').select('action').where('actor_type', '=', 'cli').where('action', 'like', 'pagopa.%').execute();
  assert.ok(audited.length >= 10);
});
