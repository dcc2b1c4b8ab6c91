import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';

// The connection picture on the portal's home (issue 14): an arrow in per environment (the API key)
// and an arrow out per station (mutual TLS), each showing the stored result of its last check —
// colour, a sign and a word — and only the organisation's own stations.

const { app, services, database } = await buildTestApp();
const db = database.db;
const org = await createOrganisation(db, 'Banca Disegno');
const other = await createOrganisation(db, 'Altra Banca');
const portal = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['node'])).email);
const portalIt = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['node'], 'it')).email);

async function station(organisationId: string, code: string, state: 'verified' | 'failing' | 'unverified'): Promise<string> {
  const referent = await new Browser(app, 'portal').signIn((await createReferent(db, organisationId, ['node'])).email);
  const res = await referent.post('/portal/stations', {
    code,
    environment: 'test',
    primaryUrl: `https://${code.toLowerCase().replace(/_/g, '-')}.example:8443/node`,
    primaryIp: '127.0.0.1',
    primaryPort: '8443',
    secondaryUrl: '',
    secondaryIp: '',
    secondaryPort: '',
  });
  assert.equal(res.statusCode, 303, res.body);
  const row = await db.selectFrom('stations').select('id').where('code', '=', code).executeTakeFirstOrThrow();
  // Approved as registered (the review is not what this file is about), with the stored check result.
  const version = await db.selectFrom('station_versions').select('id').where('station_id', '=', row.id).executeTakeFirstOrThrow();
  await db.updateTable('station_versions').set({ state: 'approved' }).where('id', '=', version.id).execute();
  await db.updateTable('stations').set({ connection_state: state, approved_version_id: version.id }).where('id', '=', row.id).execute();
  return row.id;
}

/** Each arrow of the picture: its kind, stored state, colour and the words on it. */
function arrows(body: string): Array<{ kind: string; state: string; station: string | null; colour: string; words: string }> {
  return [
    ...body.matchAll(
      /<g data-arrow="(in|out)" data-state="(\w+)" (?:data-station="([^"]+)"|data-env="\w+")><line [^>]*stroke="([^"]+)"[^>]*\/>\s*<text [^>]*>([^<]+)<\/text><\/g>/g,
    ),
  ].map((m) => ({
    kind: m[1] ?? '',
    state: m[2] ?? '',
    station: m[3] ?? null,
    colour: m[4] ?? '',
    words: m[5] ?? '',
  }));
}

test('no subscription and no station: the picture says nothing is connected yet', async () => {
  const home = await portal.get('/portal');
  assert.match(home.body, /Nothing connected in this environment yet\./);
  assert.deepEqual(arrows(home.body), []);
});

test('the arrows show the stored checks: key never used, then accepted; stations verified, failing, never checked', async () => {
  const subscription = await issueKeys(services, org, 'node', 'test');
  const verified = await station(org, 'DIS_OK', 'verified');
  const failing = await station(org, 'DIS_KO', 'failing');
  const never = await station(org, 'DIS_NEW', 'unverified');
  const foreign = await station(other, 'ALTRA_01', 'verified');

  let found = arrows((await portal.get('/portal')).body);
  assert.deepEqual(
    found.find((a) => a.kind === 'in'),
    { kind: 'in', state: 'never', station: null, colour: '#5b6472', words: 'API key · – never checked' },
  );
  const out = (id: string) => found.find((a) => a.station === id);
  assert.deepEqual(out(verified), { kind: 'out', state: 'verified', station: verified, colour: '#1b7a3a', words: 'mutual TLS · ✔ verified' });
  assert.deepEqual(out(failing), { kind: 'out', state: 'failing', station: failing, colour: '#a4161a', words: 'mutual TLS · ✖ failing' });
  assert.equal(out(never)?.state, 'never');
  assert.equal(out(foreign), undefined, "another organisation's station is not drawn");

  // A key accepted once (last_used_at) turns the arrow in to verified; a station re-verified turns green.
  await db.updateTable('api_keys').set({ last_used_at: new Date() }).where('subscription_id', '=', subscription.id).execute();
  await db.updateTable('stations').set({ connection_state: 'verified' }).where('id', '=', failing).execute();
  const home = await portal.get('/portal');
  found = arrows(home.body);
  assert.equal(found.find((a) => a.kind === 'in')?.state, 'verified');
  assert.equal(out(failing)?.state, 'verified');
  assert.match(home.body, /<svg role="img" aria-labelledby="conn-test-title conn-test-desc"/);
  assert.match(home.body, /<desc id="conn-test-desc">[^<]*Varco calls station DIS_OK \(dis-ok\.example:8443\) over mutual TLS: ✔ verified\./);

  // Suspended: every key is refused, the arrow in says so.
  await db.updateTable('subscriptions').set({ state: 'suspended' }).where('id', '=', subscription.id).execute();
  assert.equal(arrows((await portal.get('/portal')).body).find((a) => a.kind === 'in')?.state, 'failing');

  const it = await portalIt.get('/portal');
  assert.match(it.body, /Le tue connessioni/);
  assert.ok(arrows(it.body).some((a) => a.words === 'TLS reciproco · ✔ verificata'));
});
