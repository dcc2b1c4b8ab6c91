import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { createOrganisation, createReferent, issueKeys, PASSWORD } from '../support/subscriptions.ts';
import { makeCa } from '../support/tls-peers.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { approvedProd, auditOf, namedAdmin, stationToReview, subscriptionToApprove } from './support.ts';
import { endpoint } from '../stations/support.ts';

// Four-eyes through the proposals service on a real database (docs/adr/0034-four-eyes.md): each kind
// of production action waits for a second administrator and then runs once through its owner's use
// case; the proposer cannot decide; two approvals at once execute once; unanswered proposals expire;
// the test environment stays immediate.

const clock = fixedClock(new Date());
const { services, database } = await buildTestApp({ clock, env: { VARCO_FOUR_EYES: 'true', VARCO_PROPOSAL_TTL_HOURS: '72' } });
const db = database.db;
const { proposals } = services;
const alice = await namedAdmin(services, db);
const bob = await namedAdmin(services, db);
const carol = await namedAdmin(services, db);
const org = await createOrganisation(db, 'Banca Quattrocchi');

test('approving a production station is a proposal: the proposer cannot approve it, another administrator can, and it runs once', async () => {
  const stationId = await stationToReview(services, db, org, 'prod');
  const gated = await proposals.gate({ kind: 'station.approve', params: { stationId, note: '' } }, alice);
  assert.ok(gated.proposed && gated.created);
  assert.equal((await services.stations.detail(stationId))?.station.approved_version_id, null, 'nothing approved yet');
  assert.deepEqual(await proposals.approve(gated.proposal.id, alice), { ok: false, reason: 'own_proposal' });
  const again = await proposals.gate({ kind: 'station.approve', params: { stationId, note: '' } }, alice);
  assert.ok(again.proposed && !again.created && again.proposal.id === gated.proposal.id, 'a second click shows the waiting proposal');
  const approved = await proposals.approve(gated.proposal.id, bob);
  assert.ok(approved.ok);
  assert.equal(approved.value.state, 'executed');
  assert.equal(approved.value.decider?.email, bob.email);
  assert.notEqual((await services.stations.detail(stationId))?.station.approved_version_id, null, 'the station is approved');
  assert.deepEqual(await proposals.approve(gated.proposal.id, carol), { ok: false, reason: 'already_decided' });
  const trail = await auditOf(db, gated.proposal.id);
  assert.deepEqual(
    trail.map((r) => r.action),
    ['proposal.proposed', 'proposal.approved', 'proposal.executed'],
  );
  assert.deepEqual(
    trail.map((r) => r.actor_id),
    [alice.id, bob.id, bob.id],
  );
  assert.ok(
    (await auditOf(db, stationId)).some((r) => r.action === 'station.approved' && r.actor_id === bob.id),
    'the station use case ran as the approver',
  );
});

test('a station proposal approves the version proposed: an edit after it makes the approval fail, and the new version is proposed afresh', async () => {
  const stationId = await stationToReview(services, db, org, 'prod');
  const proposedVersion = (await services.stations.detail(stationId))?.pending?.id;
  const gated = await proposals.gate({ kind: 'station.approve', params: { stationId, note: '' } }, alice);
  assert.ok(gated.proposed && gated.created);
  // The referent swaps the address after the proposal: the version Alice proposed is superseded.
  const referent = { type: 'referent' as const, id: null, ip: null, organisationId: org };
  const edited = await services.stations.edit(
    stationId,
    { primary: endpoint('https://swapped-after-proposal.example/node', '93.184.216.251', 8443) },
    referent,
  );
  assert.ok(edited.ok);
  const failed = await proposals.approve(gated.proposal.id, bob);
  assert.ok(failed.ok);
  assert.equal(failed.value.state, 'failed');
  assert.match(failed.value.outcome ?? '', /invalid_state_transition/);
  const after = await services.stations.detail(stationId);
  assert.equal(after?.station.approved_version_id, null, 'neither the proposed version nor the later one is approved');
  assert.equal(after?.pending?.id, edited.value.versionId);
  assert.equal(after?.pending?.state, 'to_check', 'the new version still waits for its own review');
  // Proposing the version waiting now is a new proposal (the stale one does not stand for it), and it approves that version.
  await assert.rejects(proposals.gate({ kind: 'station.approve', params: { stationId, versionId: proposedVersion ?? '', note: '' } }, alice), {
    code: 'invalid_state_transition',
  });
  const fresh = await proposals.gate({ kind: 'station.approve', params: { stationId, versionId: edited.value.versionId, note: '' } }, alice);
  assert.ok(fresh.proposed && fresh.created);
  const done = await proposals.approve(fresh.proposal.id, bob);
  assert.ok(done.ok && done.value.state === 'executed', JSON.stringify(done));
  assert.equal((await services.stations.detail(stationId))?.station.approved_version_id, edited.value.versionId);
});

test('one person under two accounts (a referent and an administrator of one address) cannot decide their own proposal', async () => {
  const keys = await approvedProd(services, db, org);
  const referent = await createReferent(db, org, ['node']);
  // The same mailbox as an administrator, its case changed (addresses are one whatever their case: docs/security.md 43).
  const created = await services.identity.createAdmin({ email: referent.email.toUpperCase(), password: PASSWORD, actor: 'cli' });
  assert.ok(created.ok);
  const self = { type: 'admin' as const, id: created.value.id, email: referent.email.toUpperCase(), ip: null };
  const gated = await proposals.gate(
    { kind: 'api_key.regenerate', params: { subscriptionId: keys.id, organisationId: org, slot: 'primary', overlapHours: 0 } },
    { type: 'referent', id: referent.id, email: referent.email, ip: null },
  );
  assert.ok(gated.proposed && gated.created);
  assert.deepEqual(await proposals.approve(gated.proposal.id, self), { ok: false, reason: 'own_proposal' });
  assert.deepEqual(await proposals.reject(gated.proposal.id, self, 'not me'), { ok: false, reason: 'own_proposal' });
  assert.equal((await proposals.get(gated.proposal.id))?.state, 'pending', 'still waiting for another person');
  const approved = await proposals.approve(gated.proposal.id, bob);
  assert.ok(approved.ok && approved.value.state === 'executed', JSON.stringify(approved));
});

test('approving a production subscription waits; the test environment is immediate (no proposal)', async () => {
  const prod = await subscriptionToApprove(services, db, org, 'prod');
  const gated = await proposals.gate({ kind: 'subscription.approve', params: { subscriptionId: prod, comment: '' } }, alice);
  assert.ok(gated.proposed);
  assert.equal((await services.subscriptions.get(prod))?.state, 'submitted');
  const approved = await proposals.approve(gated.proposal.id, bob);
  assert.ok(approved.ok && approved.value.state === 'executed');
  assert.equal((await services.subscriptions.get(prod))?.state, 'active');

  const testSub = await subscriptionToApprove(services, db, org, 'test');
  assert.deepEqual(await proposals.gate({ kind: 'subscription.approve', params: { subscriptionId: testSub, comment: '' } }, alice), { proposed: false });
  const testStation = await stationToReview(services, db, org, 'test');
  assert.deepEqual(await proposals.gate({ kind: 'station.approve', params: { stationId: testStation, note: '' } }, alice), { proposed: false });
  assert.deepEqual(await proposals.gate({ kind: 'pki.rotate_client', params: { environment: 'test' } }, alice), { proposed: false });
  assert.equal((await proposals.list({ subjectId: testSub })).length, 0);
});

test('regenerating a production key: the approver never sees the key; the referent reveals it once', async () => {
  const keys = await approvedProd(services, db, org);
  const referent = { type: 'referent' as const, id: 'usr_referent', email: 'rita@org.test', ip: null };
  const gated = await proposals.gate(
    { kind: 'api_key.regenerate', params: { subscriptionId: keys.id, organisationId: org, slot: 'primary', overlapHours: 2 } },
    referent,
  );
  assert.ok(gated.proposed);
  const stored = await db.selectFrom('proposals').select('params').where('id', '=', gated.proposal.id).executeTakeFirstOrThrow();
  assert.doesNotMatch(JSON.stringify(stored.params), /vk_/, 'no key in the proposal row');
  const approved = await proposals.approve(gated.proposal.id, bob);
  assert.ok(approved.ok && approved.value.state === 'executed');
  assert.doesNotMatch(JSON.stringify(approved.value), /vk_prod_/, 'the approver gets no key');
  const current = (await services.apiKeys.list(keys.id)).find((k) => k.slot === 'primary' && k.current);
  assert.equal(current?.revealedAt, null, 'the new key waits for the referent');
  const revealed = await services.apiKeys.reveal(keys.id, 'primary', { type: 'referent', id: 'usr_referent', ip: null }, org);
  assert.ok(revealed.ok);
  assert.match(revealed.value.key, /^vk_prod_/);
  assert.deepEqual(await services.apiKeys.reveal(keys.id, 'primary', { type: 'referent', id: 'usr_referent', ip: null }, org), {
    ok: false,
    reason: 'already_revealed',
  });
  const old = (await services.apiKeys.list(keys.id)).find((k) => k.slot === 'primary' && !k.current);
  assert.ok(old?.validUntil, 'the previous key keeps its overlap');
});

test('adding a production CA and rotating the production client certificate wait for a second administrator', async () => {
  const ca = await makeCa({ name: 'Four Eyes Root' });
  const gated = await proposals.gate({ kind: 'trust.add', params: { environment: 'prod', pem: ca.certPem, scope: { organisationId: org } } }, alice);
  assert.ok(gated.proposed);
  assert.equal((await services.trust.list('prod')).length, 0);
  assert.ok((await proposals.approve(gated.proposal.id, bob)).ok);
  assert.deepEqual(
    (await services.trust.list('prod')).map((c) => c.fingerprint_sha256),
    [ca.fingerprint256],
  );

  const before = await services.platformCertificates.downloads('prod');
  assert.equal(before.next, undefined);
  const rotation = await proposals.gate({ kind: 'pki.rotate_client', params: { environment: 'prod' } }, alice);
  assert.ok(rotation.proposed);
  assert.equal((await services.platformCertificates.downloads('prod')).next, undefined, 'nothing published before approval');
  const done = await proposals.approve(rotation.proposal.id, carol);
  assert.ok(done.ok && done.value.state === 'executed', JSON.stringify(done));
  assert.ok((await services.platformCertificates.downloads('prod')).next, 'the next certificate is published');
});

test('two administrators approving at once: the action executes exactly once', async () => {
  const stationId = await stationToReview(services, db, org, 'prod');
  const gated = await proposals.gate({ kind: 'station.approve', params: { stationId, note: '' } }, alice);
  assert.ok(gated.proposed);
  const results = await Promise.all([proposals.approve(gated.proposal.id, bob), proposals.approve(gated.proposal.id, carol)]);
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.deepEqual(
    results.filter((r) => !r.ok),
    [{ ok: false, reason: 'already_decided' }],
  );
  const actions = (await auditOf(db, gated.proposal.id)).map((r) => r.action);
  assert.deepEqual(actions, ['proposal.proposed', 'proposal.approved', 'proposal.executed']);
  assert.equal((await auditOf(db, stationId)).filter((r) => r.action === 'station.approved').length, 1);
});

test('a rejection needs a comment and is final; a failed execution is recorded as failed', async () => {
  const prod = await subscriptionToApprove(services, db, org, 'prod');
  const gated = await proposals.gate({ kind: 'subscription.approve', params: { subscriptionId: prod, comment: '' } }, alice);
  assert.ok(gated.proposed);
  assert.deepEqual(await proposals.reject(gated.proposal.id, bob, ' '), { ok: false, reason: 'comment_required' });
  assert.deepEqual(await proposals.reject(gated.proposal.id, alice, 'mine'), { ok: false, reason: 'own_proposal' });
  const rejected = await proposals.reject(gated.proposal.id, bob, 'Contract missing');
  assert.ok(rejected.ok && rejected.value.state === 'rejected');
  assert.deepEqual(await proposals.approve(gated.proposal.id, carol), { ok: false, reason: 'already_decided' });
  assert.equal((await services.subscriptions.get(prod))?.state, 'submitted');

  // The subscription is cancelled while a new proposal waits: the approval runs and fails, recorded.
  const next = await proposals.gate({ kind: 'subscription.approve', params: { subscriptionId: prod, comment: '' } }, alice);
  assert.ok(next.proposed);
  await services.subscriptions.change(prod, 'reject', { type: 'cli', id: null, ip: null }, { comment: 'withdrawn' });
  const failed = await proposals.approve(next.proposal.id, bob);
  assert.ok(failed.ok);
  assert.equal(failed.value.state, 'failed');
  assert.match(failed.value.outcome ?? '', /invalid_state_transition/);
  assert.deepEqual(
    (await auditOf(db, next.proposal.id)).map((r) => r.action),
    ['proposal.proposed', 'proposal.approved', 'proposal.failed'],
  );
});

test('a proposal expires after VARCO_PROPOSAL_TTL_HOURS: approval is refused at once, and the job records the expiry', async () => {
  const stationId = await stationToReview(services, db, org, 'prod');
  const gated = await proposals.gate({ kind: 'station.approve', params: { stationId, note: '' } }, alice);
  assert.ok(gated.proposed);
  assert.equal(gated.proposal.expiresAt.getTime() - gated.proposal.createdAt.getTime(), 72 * 3_600_000);
  clock.advance(72 * 3_600_000 + 1000);
  assert.equal((await proposals.get(gated.proposal.id))?.state, 'expired', 'shown expired before the job runs');
  assert.deepEqual(await proposals.approve(gated.proposal.id, bob), { ok: false, reason: 'expired' });
  assert.ok((await proposals.expire()) >= 1);
  const row = await db.selectFrom('proposals').select('state').where('id', '=', gated.proposal.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'expired');
  assert.deepEqual(
    (await auditOf(db, gated.proposal.id)).map((r) => r.action),
    ['proposal.proposed', 'proposal.expired'],
  );
  assert.equal((await services.stations.detail(stationId))?.station.approved_version_id, null);
  // The station can be proposed again.
  const again = await proposals.gate({ kind: 'station.approve', params: { stationId, note: '' } }, alice);
  assert.ok(again.proposed && again.created);
});

test('a state the action does not allow is refused when proposing, not after approval', async () => {
  const keys = await approvedProd(services, db, org);
  await assert.rejects(proposals.gate({ kind: 'subscription.approve', params: { subscriptionId: keys.id, comment: '' } }, alice), {
    code: 'invalid_state_transition',
  });
});

test('reactivating a suspended production subscription waits for a second administrator, who sees why it was suspended; test is immediate', async () => {
  const prod = await approvedProd(services, db, org);
  assert.ok(
    (await services.subscriptions.change(prod.id, 'suspend', { type: 'admin', id: alice.id, ip: null }, { comment: 'Chiave pubblicata per errore' })).ok,
  );
  const gated = await proposals.gate(
    // The proposer names only the subscription: the suspension's reason is kept by the action itself.
    { kind: 'subscription.reactivate', params: { subscriptionId: prod.id, comment: '' } },
    alice,
  );
  assert.ok(gated.proposed && gated.created);
  assert.equal((await services.subscriptions.get(prod.id))?.state, 'suspended', 'still suspended');
  const about = await proposals.describe(gated.proposal);
  assert.ok(
    about.facts?.some((f) => f.label === 'suspendedBecause' && f.value === 'Chiave pubblicata per errore'),
    JSON.stringify(about),
  );
  assert.deepEqual(await proposals.approve(gated.proposal.id, alice), { ok: false, reason: 'own_proposal' });
  const approved = await proposals.approve(gated.proposal.id, bob);
  assert.ok(approved.ok && approved.value.state === 'executed');
  assert.equal((await services.subscriptions.get(prod.id))?.state, 'active');
  assert.ok(
    (await auditOf(db, prod.id)).some((r) => r.action === 'subscription.reactivated' && r.actor_id === bob.id),
    'reactivated as the approver',
  );
  // A later suspension for another reason does not rewrite what this approval was about.
  assert.ok((await services.subscriptions.change(prod.id, 'suspend', { type: 'admin', id: alice.id, ip: null }, { comment: 'Altro motivo' })).ok);
  const after = await proposals.describe((await proposals.get(gated.proposal.id)) ?? gated.proposal);
  assert.equal(after.facts?.find((f) => f.label === 'suspendedBecause')?.value, 'Chiave pubblicata per errore');
  assert.ok((await services.subscriptions.change(prod.id, 'reactivate', { type: 'admin', id: alice.id, ip: null })).ok);
  // Proposing it for an active subscription is refused at once.
  await assert.rejects(proposals.gate({ kind: 'subscription.reactivate', params: { subscriptionId: prod.id, comment: '' } }, alice), {
    code: 'invalid_state_transition',
  });

  const testKeys = await issueKeys(services, org, 'node', 'test');
  assert.ok((await services.subscriptions.change(testKeys.id, 'suspend', { type: 'admin', id: alice.id, ip: null }, { comment: 'x' })).ok);
  assert.deepEqual(await proposals.gate({ kind: 'subscription.reactivate', params: { subscriptionId: testKeys.id, comment: '' } }, alice), { proposed: false });
});
