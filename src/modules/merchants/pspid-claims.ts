import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import type { EcommerceEnv } from './merchant.types.ts';
import type { MerchantActor, MerchantView } from './merchants.service.ts';
import * as repo from './merchants.repository.ts';
import { checkPspid } from './settings.policy.ts';

// PSPIDs per environment (docs/adr/0009-merchant-settings.md, "PSPID"): a PSPID names one merchant
// in one environment, unique case-insensitively across organisations (pspid_claims' unique index),
// and is reserved only where the organisation's e-commerce subscription was approved. Opening the
// account claims it where approved (merchants.service.ts); a later approval claims it in the
// approval's transaction (merchant.hooks.ts, called by the subscriptions module); these are the
// ways to finish the job when that could not happen.

export type ClaimProblem = 'invalid_pspid' | 'pspid_taken' | 'not_eligible' | 'already_claimed';

export interface PspidClaimsDeps {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  requireMerchant: (id: string, organisationId?: string) => Promise<repo.MerchantRow>;
  view: (m: repo.MerchantRow) => Promise<MerchantView>;
}

export function createPspidClaims(deps: PspidClaimsDeps) {
  const { db, clock, audit, requireMerchant, view } = deps;

  /**
   * Claims a PSPID for an environment approved after the account was opened, when the approval
   * could not reserve the account's name there (another merchant held it) or raced with the
   * opening. A claimed PSPID never changes: shops have it in their configuration.
   */
  async function claimPspid(
    merchantId: string,
    env: EcommerceEnv,
    pspidInput: string,
    actor: MerchantActor,
    scope: { organisationId?: string } = {},
  ): Promise<Result<MerchantView, ClaimProblem>> {
    const m = await requireMerchant(merchantId, scope.organisationId);
    const pspid = pspidInput.trim();
    if (!checkPspid(pspid)) return fail('invalid_pspid');
    if (!(await repo.activeEnvironments(db, m.organisation_id)).includes(env)) return fail('not_eligible');
    const problem = await db.transaction().execute(async (trx): Promise<ClaimProblem | undefined> => {
      if ((await repo.claimsOf(trx, m.id))[env] !== undefined) return 'already_claimed';
      if (!(await repo.insertClaim(trx, { merchantId: m.id, env, pspid, now: clock.now() }))) return 'pspid_taken';
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'merchant.pspid_claimed',
        subjectType: 'merchant',
        subjectId: m.id,
        organisationId: m.organisation_id,
        details: { environment: env, pspid },
      });
      return undefined;
    });
    return problem === undefined ? ok(await view(m)) : fail(problem);
  }

  /**
   * Claims the account's own name in approved environments that hold no PSPID yet (an approval
   * committed while the account was being opened cannot see it). Nothing happens where the name is taken.
   */
  async function ensureClaims(merchantId: string): Promise<void> {
    const m = await requireMerchant(merchantId);
    const claims = await repo.claimsOf(db, m.id);
    for (const env of await repo.activeEnvironments(db, m.organisation_id)) {
      if (claims[env] === undefined) await repo.insertClaim(db, { merchantId: m.id, env, pspid: m.pspid, now: clock.now() });
    }
  }

  return { claimPspid, ensureClaims };
}
