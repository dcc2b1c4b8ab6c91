import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { runCliInProcess } from '../support/cli.ts';
import { makeDataDir } from '../support/server-process.ts';

// `npx varco org create|list` and `npx varco invite` as an operator without a browser runs them.

const database = await createTestDatabase(2);
const env = { DATABASE_URL: database.url, VARCO_DATA_DIR: await makeDataDir() };

test('org create validates, prints the id; invite queues the e-mail without a link; invite link prints one', async () => {
  const bad = await runCliInProcess(['org', 'create', '--name', 'Typo', '--tax-code', '15376371008', '--type', 'psp', '--email', 'a@b.example'], env);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /last digit/);
  const created = await runCliInProcess(
    ['org', 'create', '--name', 'Banca Tre', '--tax-code', '15376371009', '--type', 'psp', '--email', 'it@tre.example', '--json'],
    env,
  );
  assert.equal(created.code, 0, created.stderr);
  const { id } = JSON.parse(created.stdout) as { id: string };
  assert.match(id, /^org_/);
  const foreign = await runCliInProcess(
    ['org', 'create', '--name', 'Bank GmbH', '--tax-code', 'DE123456789', '--foreign', '--type', 'psp', '--email', 'x@gmbh.example'],
    env,
  );
  assert.equal(foreign.code, 0, foreign.stderr);
  const list = await runCliInProcess(['org', 'list', '--json'], env);
  assert.deepEqual((JSON.parse(list.stdout) as Array<{ name: string }>).map((o) => o.name).sort(), ['Banca Tre', 'Bank GmbH']);

  const unknownProduct = await runCliInProcess(
    ['invite', '--org', id, '--first-name', 'Luca', '--last-name', 'Verdi', '--email', 'luca@tre.example', '--products', 'nope'],
    env,
  );
  assert.equal(unknownProduct.code, 64);
  assert.match(unknownProduct.stderr, /unknown product code/);
  const invited = await runCliInProcess(
    [
      'invite',
      '--org',
      id,
      '--first-name',
      'Luca',
      '--last-name',
      'Verdi',
      '--email',
      'luca@tre.example',
      '--products',
      'node,ecommerce',
      '--locale',
      'it',
      '--json',
    ],
    env,
  );
  assert.equal(invited.code, 0, invited.stderr);
  const mail = await database.db.selectFrom('outbox').select('payload').where('channel', '=', 'email').executeTakeFirstOrThrow();
  const payload = mail.payload as { to: string; template: string; locale: string; params: Record<string, string> };
  assert.equal(payload.to, 'luca@tre.example');
  assert.equal(payload.template, 'invitation');
  assert.equal(payload.locale, 'it');
  const invitationId = (JSON.parse(invited.stdout) as { id: string }).id;
  assert.equal(payload.params.invitationId, invitationId);
  assert.equal(payload.params.link, undefined, 'the link is made when the e-mail is sent, never stored');
  const invitation = await database.db.selectFrom('invitations').select(['product_ids', 'token_hash']).executeTakeFirstOrThrow();
  assert.deepEqual([...invitation.product_ids].sort(), ['prd_ecommerce', 'prd_node']);
  assert.equal(invitation.token_hash, null, 'no token exists yet');

  // Without SMTP or a browser: a link printed once, its token stored only as a hash; a second replaces the first.
  const printed = await runCliInProcess(['invite', 'link', invitationId, '--json'], env);
  assert.equal(printed.code, 0, printed.stderr);
  const { link } = JSON.parse(printed.stdout) as { link: string };
  assert.match(link, /\/portal\/invitation\?token=[A-Za-z0-9_-]{43}$/);
  const hashed = await database.db.selectFrom('invitations').select('token_hash').executeTakeFirstOrThrow();
  assert.equal(
    hashed.token_hash,
    createHash('sha256')
      .update(new URL(link).searchParams.get('token') ?? '')
      .digest('hex'),
  );
  const again = await runCliInProcess(['invite', 'link', invitationId], env);
  assert.equal(again.code, 0, again.stderr);
  assert.notEqual((await database.db.selectFrom('invitations').select('token_hash').executeTakeFirstOrThrow()).token_hash, hashed.token_hash);
  const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_type']).where('action', '=', 'invitation.link_created').execute();
  assert.deepEqual(audit, [
    { action: 'invitation.link_created', actor_type: 'cli' },
    { action: 'invitation.link_created', actor_type: 'cli' },
  ]);
  const unknown = await runCliInProcess(['invite', 'link', 'inv_nope'], env);
  assert.equal(unknown.code, 64);
  assert.match(unknown.stderr, /no such invitation/);
});
