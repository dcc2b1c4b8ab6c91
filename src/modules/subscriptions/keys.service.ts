import type { Kysely } from 'kysely';
import type { Database, Environment } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { getOrganisation } from '../organisations/index.ts';
import { generateKey, keyPrefix, type GeneratedKey } from './keys.ts';
import { mailReferents } from './subscription.mail.ts';
import { runChangeHooks, type SubscriptionHooks } from './subscription.hooks.ts';
import { keysManageable, keysWork } from './subscription.policy.ts';
import * as repo from './subscriptions.repository.ts';
import { isEnvironment, type SubscriptionActor } from './subscriptions.service.ts';

// Keys are shown once and never stored (docs/adr/0005-api-keys.md): a slot's key material is created
// at the moment it is shown — the first reveal after activation, or a regeneration — and only its
// SHA-256, prefix and last four characters are kept. A second reveal has nothing to show.

export type Slot = 'primary' | 'secondary';
export const MAX_OVERLAP_HOURS = 72;
/** How long the previous key may keep working after a regeneration: whole hours, 0 to MAX_OVERLAP_HOURS. */
export const overlapAllowed = (hours: number): boolean => Number.isInteger(hours) && hours >= 0 && hours <= MAX_OVERLAP_HOURS;

export type RevealProblem = 'not_active' | 'already_revealed';
export type RegenerateProblem = 'not_manageable' | 'invalid_overlap';

export interface KeysOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  onKeysChanged?: (subscriptionId: string) => void;
  /** Other modules' reactions inside the transaction of createActive (composition root). */
  hooks: SubscriptionHooks;
  /** VARCO_FOUR_EYES: no production subscription is created already approved (ADR 0034). */
  fourEyes?: boolean;
}

export interface KeyView {
  id: string;
  slot: Slot;
  prefix: string;
  last4: string;
  createdAt: Date;
  revealedAt: Date | null;
  lastUsedAt: Date | null;
  /** Set for a retired key still inside its overlap window. */
  validUntil: Date | null;
  current: boolean;
}

/** What may be stored of a generated key: never the key itself. */
const stored = (generated: GeneratedKey, now: Date) => ({ hash: generated.hash, prefix: generated.prefix, last4: generated.last4, now });

const isConflict = (error: unknown): boolean => (error as { code?: string }).code === '23505';

export function createKeysService(options: KeysOptions) {
  const { db, clock, audit } = options;

  async function scoped(trx: Kysely<Database>, id: string, organisationId: string | undefined) {
    const s = await repo.findSubscription(trx, id, organisationId);
    if (!s) throw new VarcoError('not_found', 'No such subscription.');
    return s;
  }

  /** Creates and returns the slot's key, once: only when active and never revealed before. */
  async function reveal(
    id: string,
    slot: Slot,
    actor: SubscriptionActor,
    organisationId?: string,
  ): Promise<Result<{ key: string; keyId: string }, RevealProblem>> {
    const result = await db.transaction().execute(async (trx) => {
      const s = await scoped(trx, id, organisationId);
      if (!keysWork(s.state)) return fail('not_active' as const);
      const current = await repo.currentKey(trx, id, slot);
      if (!current || current.revealed_at) return fail('already_revealed' as const);
      const generated = generateKey(s.environment);
      // Guarded: two tabs revealing at once get one key; the other sees "already revealed".
      if (!(await repo.fillUnrevealed(trx, current.id, stored(generated, clock.now())))) return fail('already_revealed' as const);
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'api_key.revealed',
        subjectType: 'subscription',
        subjectId: id,
        organisationId: s.organisation_id,
        details: { slot, keyId: current.id },
      });
      await repo.notifyKeysChanged(trx, id);
      return ok({ key: generated.key, keyId: current.id });
    });
    if (result.ok) options.onKeysChanged?.(id);
    return result;
  }

  /**
   * A new key for the slot, shown once. The previous key stays valid for `overlapHours` (0–72) so
   * clients can switch without downtime; a key retired earlier in the same slot stops at once.
   */
  async function replaceKey(
    id: string,
    slot: Slot,
    overlapHours: number,
    actor: SubscriptionActor,
    organisationId: string | undefined,
    /** 'reveal-later' (a four-eyes approval, docs/adr/0034-four-eyes.md): the new key is made when the referent first reveals it, so the approver never sees it. */
    show: 'now' | 'reveal-later',
  ): Promise<Result<{ key: string | null; keyId: string; previousValidUntil: Date | null }, RegenerateProblem>> {
    if (!overlapAllowed(overlapHours)) return fail('invalid_overlap');
    let result: Result<{ key: string | null; keyId: string; previousValidUntil: Date | null }, RegenerateProblem>;
    try {
      result = await db.transaction().execute(async (trx) => {
        const s = await scoped(trx, id, organisationId);
        if (!keysManageable(s.state)) return fail('not_manageable' as const);
        const now = clock.now();
        const current = await repo.currentKey(trx, id, slot);
        let previousValidUntil: Date | null = null;
        if (current) {
          // A key nobody was ever shown needs no overlap.
          previousValidUntil = current.revealed_at ? new Date(now.getTime() + overlapHours * 3600_000) : now;
          await repo.retireSlot(trx, { subscriptionId: id, slot, keyId: current.id, now, validUntil: previousValidUntil });
        }
        const keyId = newId('key');
        const generated = show === 'now' ? generateKey(s.environment) : null;
        if (generated) await repo.insertKey(trx, { id: keyId, subscriptionId: id, slot, ...stored(generated, now), revealedAt: now });
        // A placeholder like a new subscription's: `reveal` fills it, once, for the referent.
        else
          await repo.insertKey(trx, {
            id: keyId,
            subscriptionId: id,
            slot,
            hash: `sealed:${keyId}`,
            prefix: keyPrefix(s.environment),
            last4: '',
            now,
            revealedAt: null,
          });
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'api_key.regenerated',
          subjectType: 'subscription',
          subjectId: id,
          organisationId: s.organisation_id,
          details: {
            slot,
            keyId,
            previousKeyId: current?.id ?? null,
            overlapHours,
            previousValidUntil: previousValidUntil?.toISOString() ?? null,
            shown: show === 'now' ? 'now' : 'at_reveal',
          },
        });
        await repo.notifyKeysChanged(trx, id);
        return ok({ key: generated?.key ?? null, keyId, previousValidUntil });
      });
    } catch (error) {
      // The one-current-key-per-slot index: someone regenerated the same slot at the same moment.
      if (isConflict(error)) throw new VarcoError('conflict', 'This key was regenerated at the same moment; reload the page.');
      throw error;
    }
    options.onKeysChanged?.(id);
    return result;
  }

  async function regenerate(
    id: string,
    slot: Slot,
    overlapHours: number,
    actor: SubscriptionActor,
    organisationId?: string,
  ): Promise<Result<{ key: string; keyId: string; previousValidUntil: Date | null }, RegenerateProblem>> {
    const result = await replaceKey(id, slot, overlapHours, actor, organisationId, 'now');
    return result.ok ? ok({ ...result.value, key: result.value.key ?? '' }) : result;
  }

  /**
   * A regeneration approved by a second administrator (four-eyes, docs/adr/0034-four-eyes.md): the
   * previous key is retired as `regenerate` does, and the new slot waits unrevealed, so the key is made
   * and shown once to the organisation's referent (Reveal), never to the approver.
   */
  async function regenerateForReveal(
    id: string,
    slot: Slot,
    overlapHours: number,
    actor: SubscriptionActor,
    organisationId?: string,
  ): Promise<Result<{ keyId: string; previousValidUntil: Date | null }, RegenerateProblem>> {
    const result = await replaceKey(id, slot, overlapHours, actor, organisationId, 'reveal-later');
    return result.ok ? ok({ keyId: result.value.keyId, previousValidUntil: result.value.previousValidUntil }) : result;
  }

  async function list(subscriptionId: string): Promise<KeyView[]> {
    return (await repo.keysOf(db, subscriptionId, clock.now())).map((k) => ({
      id: k.id,
      slot: k.slot,
      prefix: k.prefix,
      last4: k.last4,
      createdAt: k.created_at,
      revealedAt: k.revealed_at,
      lastUsedAt: k.last_used_at,
      validUntil: k.retired_at ? k.valid_until : null,
      current: k.retired_at === null,
    }));
  }

  /**
   * For operators (CLI): an active subscription with both keys generated now and returned once. The
   * organisation's referents are told it is active. Under four-eyes not in production: one operator
   * must not get live production keys alone (the referent subscribes, two administrators approve).
   */
  async function createActive(
    input: { organisationId: string; productCode: string; environment: string; name?: string },
    actor: SubscriptionActor,
  ): Promise<
    Result<
      { id: string; primary: string; secondary: string },
      'organisation_not_found' | 'product_not_found' | 'invalid_environment' | 'name_required' | 'four_eyes'
    >
  > {
    if (!isEnvironment(input.environment)) return fail('invalid_environment');
    const environment: Environment = input.environment;
    if (environment === 'prod' && options.fourEyes === true) return fail('four_eyes');
    const name = (input.name ?? `${input.productCode}-${environment}`).trim();
    if (name === '' || name.length > 100) return fail('name_required');
    const organisation = await getOrganisation(db, input.organisationId);
    if (!organisation) return fail('organisation_not_found');
    const product = await db.selectFrom('products').select(['id', 'code']).where('code', '=', input.productCode).executeTakeFirst();
    if (!product) return fail('product_not_found');
    const id = newId('sub');
    const keys = { primary: generateKey(environment), secondary: generateKey(environment) };
    await db.transaction().execute(async (trx) => {
      const now = clock.now();
      await repo.insertSubscription(trx, {
        id,
        organisationId: organisation.id,
        productId: product.id,
        environment,
        name,
        state: 'active',
        createdBy: null,
        now,
      });
      await runChangeHooks(options.hooks, trx, {
        subscriptionId: id,
        organisationId: organisation.id,
        productCode: product.code,
        environment,
        from: null,
        to: 'active',
        at: now,
      });
      for (const slot of ['primary', 'secondary'] as const) {
        await repo.insertKey(trx, { id: newId('key'), subscriptionId: id, slot, ...stored(keys[slot], now), revealedAt: now });
      }
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'subscription.created',
        subjectType: 'subscription',
        subjectId: id,
        organisationId: organisation.id,
        details: { product: product.code, environment, name, state: 'active', keysIssued: true },
      });
      const row = await repo.findSubscription(trx, id);
      if (row) await mailReferents(trx, row, 'subscription_approved', options.publicUrl);
      await repo.notifyKeysChanged(trx, id);
    });
    return ok({ id, primary: keys.primary.key, secondary: keys.secondary.key });
  }

  return { reveal, regenerate, regenerateForReveal, list, createActive };
}

export type KeysService = ReturnType<typeof createKeysService>;
