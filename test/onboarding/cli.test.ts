import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { runCliInProcess } from '../support/cli.ts';
import { makeDataDir } from '../support/server-process.ts';
import { testAudit } from '../support/app.ts';
import { createOrganisation, createReferent } from '../support/subscriptions.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createPasswordResets } from '../../src/modules/identity/index.ts';
import { passwordResetMail, passwordResetQueue } from '../../src/app/mail.ts';
import { newId } from '../../src/kernel/ids.ts';

// `npx varco org create|list`, `npx varco invite` and `npx varco password-reset link` as an operator
// without a browser runs them.

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

/** The password resets as the container makes them, for a request carried out as the worker would. */
const passwordResets = () =>
  createPasswordResets({
    db: database.db,
    clock: systemClock,
    audit: testAudit(),
    publicUrl: 'https://varco.test',
    mail: passwordResetMail,
    queue: passwordResetQueue,
  });

test('password-reset link prints a new link for an open request, by its e-mail, its id or the address; a second replaces the first', async () => {
  const rita = await createReferent(database.db, await createOrganisation(database.db), ['node'], 'it');
  const none = await runCliInProcess(['password-reset', 'link', '--email', rita.email], env);
  assert.equal(none.code, 64);
  assert.match(none.stderr, /no open password reset request/);
  assert.ok((await passwordResets().fulfil({ id: newId('pwr'), surface: 'portal', email: rita.email, ip: null })).mailed);
  const request = await database.db.selectFrom('password_resets').select(['id', 'token_hash']).where('user_id', '=', rita.id).executeTakeFirstOrThrow();
  assert.equal(request.token_hash, null, 'no token exists yet');
  const mail = await database.db.selectFrom('outbox').select('id').where('subject_id', '=', rita.id).executeTakeFirstOrThrow();

  const hashOf = (link: string): string =>
    createHash('sha256')
      .update(new URL(link).searchParams.get('token') ?? '')
      .digest('hex');
  const tokenHash = async () =>
    (await database.db.selectFrom('password_resets').select('token_hash').where('id', '=', request.id).executeTakeFirstOrThrow()).token_hash;
  const links: string[] = [];
  for (const argv of [[mail.id], [request.id], ['--email', rita.email.toUpperCase()]]) {
    const printed = await runCliInProcess(['password-reset', 'link', ...argv, '--json'], env);
    assert.equal(printed.code, 0, printed.stderr);
    const shown = JSON.parse(printed.stdout) as { id: string; email: string; link: string };
    assert.deepEqual([shown.id, shown.email], [request.id, rita.email]);
    assert.match(shown.link, /^https:\/\/[^/]+\/portal\/password-reset\/new\?token=[A-Za-z0-9_-]{43}$/);
    assert.equal(await tokenHash(), hashOf(shown.link), 'stored only as a hash, the newest replacing the previous');
    links.push(shown.link);
  }
  assert.equal(new Set(links).size, 3);
  const audit = await database.db.selectFrom('audit_log').select(['actor_type', 'details']).where('action', '=', 'password.reset_link_created').execute();
  assert.deepEqual(
    audit.map((a) => a.actor_type),
    ['cli', 'cli', 'cli'],
  );
  const stored = JSON.stringify([audit, await database.db.selectFrom('outbox').selectAll().execute()]);
  assert.ok(
    links.every((link) => !stored.includes(new URL(link).searchParams.get('token') ?? '')),
    'no token in the audit log or the outbox',
  );

  const text = await runCliInProcess(['password-reset', 'link', request.id], env);
  assert.match(text.stdout, new RegExp(`^Link for ${rita.email.replaceAll('.', '\\.')} \\(works once`));
  await database.db.updateTable('password_resets').set({ used_at: new Date(), token_hash: null }).where('id', '=', request.id).execute();
  const used = await runCliInProcess(['password-reset', 'link', request.id], env);
  assert.equal(used.code, 64);
  assert.match(used.stderr, /reset with it already/);
  const otherMail = await database.db.selectFrom('outbox').select('id').where('subject_id', '!=', rita.id).executeTakeFirstOrThrow();
  for (const argv of [[otherMail.id], ['pwr_01jd0000000000000000000000'], []]) {
    const refused = await runCliInProcess(['password-reset', 'link', ...argv], env);
    assert.equal(refused.code, 64, argv.join(' '));
  }
});

test('password-reset link --email finds the open request of an address stored with capitals, typed in any case', async () => {
  const person = await createReferent(database.db, await createOrganisation(database.db), ['node'], 'en');
  // Stored as the administrator typed it when inviting (capitals kept).
  const stored = `Ops.Lead-${person.id.slice(-6)}@Example.test`;
  await database.db.updateTable('users').set({ email: stored }).where('id', '=', person.id).execute();
  assert.ok((await passwordResets().fulfil({ id: newId('pwr'), surface: 'portal', email: stored.toLowerCase(), ip: null })).mailed);
  const request = await database.db.selectFrom('password_resets').select('id').where('user_id', '=', person.id).executeTakeFirstOrThrow();
  for (const typed of [stored, stored.toLowerCase(), stored.toUpperCase()]) {
    const printed = await runCliInProcess(['password-reset', 'link', '--email', typed, '--json'], env);
    assert.equal(printed.code, 0, `${typed}: ${printed.stderr}`);
    assert.deepEqual((JSON.parse(printed.stdout) as { id: string; email: string }).id, request.id);
  }
});
