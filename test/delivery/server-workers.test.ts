import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { testAudit } from '../support/app.ts';
import { startServer, sleep } from '../support/server-process.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createOrganisation, productId } from '../support/subscriptions.ts';
import { createInvitationsService } from '../../src/modules/organisations/index.ts';
import { existingProductIds, grantProducts } from '../../src/modules/subscriptions/index.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { systemClock } from '../../src/kernel/clock.ts';

// `npm start` runs the outbox workers in the server process unless VARCO_WORKERS=false, and says
// where e-mail goes.

const database = await createTestDatabase();
// Instances sharing a database must share the master key (they refuse to start otherwise).
const VARCO_MASTER_KEY = generateSecretboxKey().toString('base64');
const organisation = await createOrganisation(database.db, 'Banca Uno');
const invitations = createInvitationsService({
  db: database.db,
  clock: systemClock,
  audit: testAudit(Buffer.from(VARCO_MASTER_KEY, 'base64')),
  publicUrl: 'https://localhost:8443',
  products: { existing: existingProductIds, grant: grantProducts },
});
/** A real invitation: its e-mail's link is made by the server's worker when it sends it. */
async function enqueue(to: string): Promise<string> {
  const invited = await invitations.invite(
    { organisationId: organisation, firstName: 'Ada', lastName: 'Lovelace', email: to, locale: 'en', productIds: [await productId(database.db, 'node')] },
    { type: 'cli', id: null, ip: null },
  );
  assert.ok(invited.ok);
  return (await database.db.selectFrom('outbox').select('id').where('subject_id', '=', invited.value.id).executeTakeFirstOrThrow()).id;
}

test('the server delivers e-mail over VARCO_SMTP_URL and stops its workers on SIGTERM', async () => {
  const receiver = await startSmtpReceiver();
  const server = await startServer({ env: { VARCO_MASTER_KEY, DATABASE_URL: database.url, ...receiver.env } });
  await server.waitForOutput(/E-mail\s+sent over SMTP/);
  const id = await enqueue('ada@bank.test');
  const [mail] = await receiver.waitFor(1, (m) => m.varcoId === id);
  assert.equal(mail!.subject, 'Invitation to the Varco developer portal for Banca Uno');
  assert.match(mail!.text, /\/portal\/invitation\?token=[A-Za-z0-9_-]{43}/, 'the server made the link when it sent the e-mail');
  assert.equal(await server.stop('SIGTERM'), 0);
});

test('with VARCO_WORKERS=false the server leaves the outbox to a separate worker; without SMTP it points to the Mail page', async () => {
  const receiver = await startSmtpReceiver();
  const apart = await startServer({ env: { VARCO_MASTER_KEY, DATABASE_URL: database.url, ...receiver.env, VARCO_WORKERS: 'false' } });
  const id = await enqueue('bob@bank.test');
  await sleep(1500);
  assert.equal(receiver.messages.filter((m) => m.varcoId === id).length, 0);
  assert.equal(await apart.stop('SIGTERM'), 0);

  const noSmtp = await startServer({ env: { VARCO_MASTER_KEY, DATABASE_URL: database.url } });
  await noSmtp.waitForOutput(/E-mail\s+not sent \(no VARCO_SMTP_URL\): read it at https:\/\/localhost:\d+\/admin\/mail/);
  assert.equal(await noSmtp.stop('SIGTERM'), 0);
  const row = await database.db.selectFrom('outbox').select(['state', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { state: 'pending', attempts: 0 });
});
