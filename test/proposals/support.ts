import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import type { Services } from '../../src/app/container.ts';
import type { Decider, Proposer } from '../../src/modules/proposals/index.ts';
import { createAdmin, createReferent, productId } from '../support/subscriptions.ts';
import { endpoint } from '../stations/support.ts';

// Four-eyes tests: named administrators, and the subjects of each action kind in an environment.

export async function namedAdmin(services: Services, db: Kysely<Database>): Promise<Decider & Proposer & { type: 'admin' }> {
  const { email } = await createAdmin(services);
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { type: 'admin', id: row.id, email, ip: '192.0.2.10' };
}

let stationCount = 0;

/** A station of the organisation with version 1 waiting for review. */
export async function stationToReview(services: Services, db: Kysely<Database>, organisationId: string, env: 'test' | 'prod'): Promise<string> {
  const referent = await createReferent(db, organisationId, ['node']);
  stationCount += 1;
  const code = `FE_${env.toUpperCase()}_${stationCount}_${Math.floor(Math.random() * 1e6)}`;
  const actor = { type: 'referent' as const, id: referent.id, ip: null, organisationId };
  const result = await services.stations.register(
    organisationId,
    env,
    { code, primary: endpoint(`https://fe${stationCount}-${code.toLowerCase().replace(/_/g, '-')}.example/node`, `93.184.216.${stationCount % 250}`, 443) },
    actor,
  );
  assert.ok(result.ok, JSON.stringify(result));
  return result.value.id;
}

/** A subscription of the organisation waiting for approval in `env` (ecommerce needs approval in both). */
export async function subscriptionToApprove(services: Services, db: Kysely<Database>, organisationId: string, env: 'test' | 'prod'): Promise<string> {
  const referent = await createReferent(db, organisationId, ['ecommerce']);
  await db.updateTable('products').set({ approval_required_test: true, approval_required_prod: true }).where('code', '=', 'ecommerce').execute();
  const result = await services.subscriptions.subscribe(
    { productId: await productId(db, 'ecommerce'), environment: env, name: `Shop ${env} ${Math.random().toString(36).slice(2, 8)}` },
    { type: 'referent', id: referent.id, ip: null },
  );
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value.state, 'submitted');
  return result.value.id;
}

export async function auditOf(db: Kysely<Database>, subjectId: string): Promise<Array<{ action: string; actor_id: string | null }>> {
  return db.selectFrom('audit_log').select(['action', 'actor_id']).where('subject_id', '=', subjectId).orderBy('seq').execute();
}

/**
 * An active production subscription with its keys, the way four-eyes lets one come about: a referent
 * subscribes (submitted), the approval the proposal layer applies once a second administrator agrees
 * is applied here directly, and the referent reveals both keys. (`varco subscription create --approve`
 * is refused in production under four-eyes, by the keys service itself.)
 */
export async function approvedProd(services: Services, db: Kysely<Database>, organisationId: string, productCode = 'node') {
  const referent = await createReferent(db, organisationId, [productCode]);
  const subscribed = await services.subscriptions.subscribe(
    { productId: await productId(db, productCode), environment: 'prod', name: `Live ${Math.random().toString(36).slice(2, 8)}` },
    { type: 'referent', id: referent.id, ip: null },
  );
  assert.ok(subscribed.ok, JSON.stringify(subscribed));
  const { id } = subscribed.value;
  const admin = await namedAdmin(services, db);
  if (subscribed.value.state === 'submitted') assert.ok((await services.subscriptions.change(id, 'approve', admin)).ok);
  const reveal = async (slot: 'primary' | 'secondary'): Promise<string> => {
    const shown = await services.apiKeys.reveal(id, slot, { type: 'referent', id: referent.id, ip: null }, organisationId);
    assert.ok(shown.ok, JSON.stringify(shown));
    return shown.value.key;
  };
  return { id, primary: await reveal('primary'), secondary: await reveal('secondary') };
}
