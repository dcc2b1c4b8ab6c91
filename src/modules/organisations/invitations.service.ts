import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { randomToken, sha256Hex } from '../../kernel/crypto.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { checkPassword, createReferent, hashPassword, isEmail, referentEmailTaken, type PasswordProblem } from '../identity/index.ts';
import { enqueueEmail } from '../delivery/index.ts';
import type { Actor } from './organisations.service.ts';
import { findOrganisation } from './organisations.repository.ts';

// Invitations: single-use, 48-hour links stored only as a hash. Re-sending supersedes the old link.
// An invitation is created without a token: its e-mail waits in the outbox naming only the
// invitation, and the token is made when the e-mail is sent (mintLink, called by the mail sender)
// or when an administrator asks for a link (createLink). Each new token replaces the previous one,
// so only the latest link works, and no table ever holds a usable link.

export const INVITATION_TTL_MS = 48 * 3600_000;

/**
 * What invitations need of the products (the subscriptions module's), given at wiring: subscriptions
 * reads organisations' names, so organisations does not import subscriptions (no import cycle; docs/adr/0011).
 */
export interface InvitationProducts {
  /** Which of these product ids exist (an invitation may name only real products). */
  existing(db: Kysely<Database>, productIds: readonly string[]): Promise<string[]>;
  /** Lets the new referent use these products, in the acceptance's transaction. */
  grant(trx: Kysely<Database>, userId: string, productIds: readonly string[]): Promise<void>;
}

export interface InvitationsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  products: InvitationProducts;
}

export interface NewInvitation {
  organisationId: string;
  firstName: string;
  lastName: string;
  email: string;
  locale: 'en' | 'it';
  productIds: string[];
}

export type InviteProblem = 'organisation_not_found' | 'name_required' | 'invalid_email' | 'no_products' | 'unknown_product' | 'already_referent';
export type InvitationState = 'valid' | 'expired' | 'used' | 'superseded' | 'unknown';

export const INVITE_PROBLEM_TEXT: Record<InviteProblem, string> = {
  organisation_not_found: 'No such organisation.',
  name_required: 'First and last name are required.',
  invalid_email: 'The e-mail address is not valid.',
  no_products: 'Choose at least one product the referent may subscribe to.',
  unknown_product: 'One of the chosen products does not exist.',
  already_referent: 'A referent with this e-mail already exists.',
};

export function createInvitationsService(options: InvitationsOptions) {
  const { db, clock, publicUrl, audit, products } = options;
  const link = (token: string): string => `${publicUrl}/portal/invitation?token=${token}`;

  async function issue(
    trx: Kysely<Database>,
    invitation: {
      organisationId: string;
      organisationName: string;
      firstName: string;
      lastName: string;
      email: string;
      locale: 'en' | 'it';
      productIds: string[];
    },
    actor: Actor,
    action: string,
  ): Promise<string> {
    const id = newId('inv');
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    await trx
      .insertInto('invitations')
      .values({
        id,
        token_hash: null,
        organisation_id: invitation.organisationId,
        email: invitation.email,
        first_name: invitation.firstName,
        last_name: invitation.lastName,
        locale: invitation.locale,
        product_ids: invitation.productIds,
        invited_by: actor.type === 'admin' ? actor.id : null,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    await enqueueEmail(trx, {
      to: invitation.email,
      template: 'invitation',
      locale: invitation.locale,
      organisationId: invitation.organisationId,
      subjectType: 'invitation',
      subjectId: id,
      params: { firstName: invitation.firstName, organisationName: invitation.organisationName, invitationId: id, expiresAt: expiresAt.toISOString() },
    });
    await audit.append(trx, {
      actorType: actor.type,
      actorId: actor.id,
      ip: actor.ip,
      action,
      subjectType: 'invitation',
      subjectId: id,
      organisationId: invitation.organisationId,
      details: { email: invitation.email },
    });
    return id;
  }

  async function invite(input: NewInvitation, actor: Actor): Promise<Result<{ id: string }, InviteProblem>> {
    const firstName = input.firstName.trim();
    const lastName = input.lastName.trim();
    const email = input.email.trim();
    if (!firstName || !lastName || firstName.length > 100 || lastName.length > 100) return fail('name_required');
    if (!isEmail(email)) return fail('invalid_email');
    const productIds = [...new Set(input.productIds)];
    if (productIds.length === 0) return fail('no_products');
    const organisation = await findOrganisation(db, input.organisationId);
    if (!organisation) return fail('organisation_not_found');
    if ((await products.existing(db, productIds)).length !== productIds.length) return fail('unknown_product');
    if (await referentEmailTaken(db, email)) return fail('already_referent');
    const id = await db
      .transaction()
      .execute((trx) => issue(trx, { ...input, firstName, lastName, email, productIds, organisationName: organisation.name }, actor, 'invitation.sent'));
    return ok({ id });
  }

  /** A new link for an invitation not yet accepted; the previous link stops working. */
  async function resend(invitationId: string, actor: Actor, organisationId?: string): Promise<Result<{ id: string }, 'not_found' | 'already_accepted'>> {
    return db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('invitations')
        .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
        .selectAll('invitations')
        .select('organisations.name as organisation_name')
        .where('invitations.id', '=', invitationId)
        .forUpdate();
      if (organisationId) query = query.where('invitations.organisation_id', '=', organisationId);
      const old = await query.executeTakeFirst();
      if (!old || old.superseded_at) return fail('not_found' as const);
      if (old.accepted_at) return fail('already_accepted' as const);
      await trx.updateTable('invitations').set({ superseded_at: clock.now() }).where('id', '=', old.id).execute();
      const id = await issue(
        trx,
        {
          organisationId: old.organisation_id,
          organisationName: old.organisation_name,
          firstName: old.first_name,
          lastName: old.last_name,
          email: old.email,
          locale: old.locale,
          productIds: old.product_ids,
        },
        actor,
        'invitation.resent',
      );
      return ok({ id });
    });
  }

  const stateOf = (row: { accepted_at: Date | null; superseded_at: Date | null; expires_at: Date }): Exclude<InvitationState, 'unknown'> =>
    row.accepted_at ? 'used' : row.superseded_at ? 'superseded' : row.expires_at.getTime() <= clock.now().getTime() ? 'expired' : 'valid';

  /**
   * A fresh token for a pending invitation, replacing any earlier one (whose link stops working).
   * The link is returned once and never stored. An administrator's request is audited; the mail
   * sender's is recorded by the outbox's delivery attempts.
   */
  async function mintLink(invitationId: string, actor?: Actor): Promise<Result<{ link: string; email: string }, Exclude<InvitationState, 'valid'>>> {
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('invitations')
        .select(['id', 'organisation_id', 'email', 'accepted_at', 'superseded_at', 'expires_at'])
        .where('id', '=', invitationId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return fail('unknown' as const);
      const state = stateOf(row);
      if (state !== 'valid') return fail(state);
      const token = randomToken(32);
      await trx
        .updateTable('invitations')
        .set({ token_hash: sha256Hex(token) })
        .where('id', '=', row.id)
        .execute();
      if (actor) {
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'invitation.link_created',
          subjectType: 'invitation',
          subjectId: row.id,
          organisationId: row.organisation_id,
          details: { email: row.email },
        });
      }
      return ok({ link: link(token), email: row.email });
    });
  }

  /** The state of an invitation by id ('unknown' when there is none). */
  async function stateById(invitationId: string): Promise<InvitationState> {
    const row = await db.selectFrom('invitations').select(['accepted_at', 'superseded_at', 'expires_at']).where('id', '=', invitationId).executeTakeFirst();
    return row ? stateOf(row) : 'unknown';
  }

  async function lookup(token: string) {
    const row = await db
      .selectFrom('invitations')
      .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
      .selectAll('invitations')
      .select('organisations.name as organisation_name')
      .where('invitations.token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    const state: InvitationState = row ? stateOf(row) : 'unknown';
    return { state, invitation: row };
  }

  /** The referent confirms and chooses a password; creates the account and its product associations. */
  async function accept(
    token: string,
    password: string,
    confirm: string,
    ip: string | null,
  ): Promise<Result<{ userId: string; email: string }, PasswordProblem | Exclude<InvitationState, 'valid'> | 'already_referent'>> {
    const found = await lookup(token);
    if (found.state !== 'valid' || !found.invitation) return fail(found.state === 'valid' ? 'unknown' : found.state);
    const problem = checkPassword(password, confirm);
    if (problem) return fail(problem);
    const invitation = found.invitation;
    const passwordHash = await hashPassword(password);
    const userId = newId('usr');
    // A refusal after the claim rolls it back: the link stays open and its page says why, not "already used".
    const refused = new Error('already_referent');
    try {
      return await db.transaction().execute(async (trx) => {
        // Guarded: two tabs submitting the same link create one account; and the link must still be the
        // invitation's and unexpired now, not only when it was checked before the password was hashed (a
        // "Create link" meanwhile replaces it, and the old link must stop working at once).
        const now = clock.now();
        const claimed = await trx
          .updateTable('invitations')
          .set({ accepted_at: now })
          .where('id', '=', invitation.id)
          .where('token_hash', '=', sha256Hex(token))
          .where('expires_at', '>', now)
          .where('accepted_at', 'is', null)
          .where('superseded_at', 'is', null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) {
          const state = (await lookup(token)).state;
          return fail(state === 'valid' ? ('used' as const) : state);
        }
        if (await referentEmailTaken(trx, invitation.email)) throw refused;
        await createReferent(trx, {
          id: userId,
          email: invitation.email,
          passwordHash,
          firstName: invitation.first_name,
          lastName: invitation.last_name,
          locale: invitation.locale,
          organisationId: invitation.organisation_id,
          now: clock.now(),
        });
        await trx.updateTable('invitations').set({ user_id: userId }).where('id', '=', invitation.id).execute();
        await products.grant(trx, userId, invitation.product_ids);
        await audit.append(trx, {
          actorType: 'referent',
          actorId: userId,
          ip,
          action: 'invitation.accepted',
          subjectType: 'invitation',
          subjectId: invitation.id,
          organisationId: invitation.organisation_id,
          details: { email: invitation.email },
        });
        return ok({ userId, email: invitation.email });
      });
    } catch (error) {
      // Another invitation of the address accepted at the same moment: the users index (kind, lower(email)) refused this one.
      if (error === refused || (error as { constraint?: string }).constraint === 'users_kind_email') return fail('already_referent');
      throw error;
    }
  }

  const byId = (id: string) => db.selectFrom('invitations').select(['id', 'organisation_id']).where('id', '=', id).executeTakeFirst();

  return { invite, resend, lookup, accept, byId, mintLink, stateById };
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
