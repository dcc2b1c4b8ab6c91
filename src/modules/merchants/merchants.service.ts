import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { VarcoError, fail, ok, type Result } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { open, seal, SecretboxError } from '../../kernel/secretbox.ts';
import type { AuditLog } from '../audit/index.ts';
import { getOrganisation } from '../organisations/index.ts';
import { generatePassphrase } from './passphrase.policy.ts';
import {
  DEFAULT_FEEDBACK_PARAMETERS,
  changedFields,
  checkForProduction,
  checkPspid,
  testPassphrasesToReplace,
  validateSettings,
  type FeedbackHostRefused,
  type SettingsInput,
  type SettingsProblem,
  type TechnicalSettings,
} from './settings.policy.ts';
import { mailPassphraseReplaced } from './merchant.mail.ts';
import * as repo from './merchants.repository.ts';
import { createPspidClaims } from './pspid-claims.ts';
import type { EcommerceEnv, MerchantConfig, MerchantDirectory } from './merchant.types.ts';

// Merchant accounts (a PSPID per organisation with an active `ecommerce` subscription) and their
// test and prod technical settings. Passphrases are sealed with the master key under an aad naming
// their place (`merchant:<id>:<env>:sha-in`), opened only in memory, never returned by a read of
// the settings, never logged and never audited: audit rows name the fields that changed.

export interface MerchantActor {
  type: 'admin' | 'referent' | 'cli' | 'system';
  id: string | null;
  ip: string | null;
}

export interface MerchantsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** Seals passphrases at rest. Without it the service still lists and validates, but refuses to seal or open. */
  masterKey: Buffer | undefined;
  publicUrl: string;
}

export interface MerchantView {
  id: string;
  organisationId: string;
  /** The PSPID asked for when the account was opened; claimed in each environment once approved there. */
  pspid: string;
  /** The PSPID the merchant holds in each environment (none where it is not approved, or the name was taken). */
  pspids: Partial<Record<EcommerceEnv, string>>;
  name: string;
  createdAt: Date;
  /** Environments in which the organisation has an active `ecommerce` subscription. */
  activeEnvironments: EcommerceEnv[];
}

/** One configuration for a page or the CLI: every setting, and only whether each passphrase is set. */
export interface SettingsView extends TechnicalSettings {
  env: EcommerceEnv;
  shaInSet: boolean;
  shaOutSet: boolean;
  updatedAt: Date;
}

export type CreateMerchantProblem = 'invalid_pspid' | 'pspid_taken' | 'not_eligible' | 'already_exists' | 'organisation_not_found';

/** Test passphrases that equalled a production one and were replaced by random ones. */
export type Replaced = Array<'shaIn' | 'shaOut'>;

export type UpdateOutcome = { ok: true; changed: string[]; replacedInTest: Replaced } | { ok: false; problems: SettingsProblem[] };
/** `shaIn`: the new production SHA-IN passphrase, shown once — null when production kept its own. */
export type CopyOutcome = { ok: true; shaIn: string | null; changed: string[]; prodShaOutSet: boolean } | { ok: false; problems: SettingsProblem[] };
/** What copy test to production would change (issue 14): each differing setting, test's value and production's now. */
export type CopyPreview =
  | { ok: true; changes: Array<{ field: string; test: unknown; prod: unknown }>; prodShaInSet: boolean; prodShaOutSet: boolean }
  | { ok: false; problems: SettingsProblem[] };

type Which = 'shaIn' | 'shaOut';
/** Thrown inside the opening transaction to roll it back when a PSPID claim loses. */
class PspidTaken extends Error {}
const AAD_NAME: Record<Which, string> = { shaIn: 'sha-in', shaOut: 'sha-out' };
type Clear = { shaIn: string | null; shaOut: string | null };

export function createMerchantsService(options: MerchantsOptions) {
  const { db, clock, publicUrl, audit } = options;

  function masterKey(): Buffer {
    if (!options.masterKey) throw new VarcoError('internal_error', 'No master key is configured: Varco cannot seal or open SHA passphrases.');
    return options.masterKey;
  }
  const aad = (merchantId: string, env: EcommerceEnv, which: Which): string => `merchant:${merchantId}:${env}:${AAD_NAME[which]}`;
  const sealFor = (merchantId: string, env: EcommerceEnv, which: Which, value: string): string => seal(masterKey(), value, aad(merchantId, env, which));
  function openFor(merchantId: string, env: EcommerceEnv, which: Which, sealed: string | null): string | null {
    if (sealed === null) return null;
    try {
      return open(masterKey(), sealed, aad(merchantId, env, which));
    } catch (error) {
      // Fail closed with a message that names the place, never the value.
      if (error instanceof SecretboxError)
        throw new VarcoError('internal_error', `The ${AAD_NAME[which]} passphrase of ${merchantId} (${env}) cannot be opened: ${error.reason}.`, {
          cause: error,
        });
      throw error;
    }
  }
  const openBoth = (merchantId: string, env: EcommerceEnv, row: repo.SettingsRow): Clear => ({
    shaIn: openFor(merchantId, env, 'shaIn', row.sha_in_sealed),
    shaOut: openFor(merchantId, env, 'shaOut', row.sha_out_sealed),
  });

  async function view(m: repo.MerchantRow): Promise<MerchantView> {
    return {
      id: m.id,
      organisationId: m.organisation_id,
      pspid: m.pspid,
      pspids: await repo.claimsOf(db, m.id),
      name: m.name,
      createdAt: m.created_at,
      activeEnvironments: await repo.activeEnvironments(db, m.organisation_id),
    };
  }

  /** The merchant, or not_found (also for another organisation's merchant when `organisationId` scopes the call). */
  async function requireMerchant(id: string, organisationId?: string): Promise<repo.MerchantRow> {
    const m = await repo.findMerchant(db, id, organisationId);
    if (!m) throw new VarcoError('not_found', 'No such merchant.');
    return m;
  }

  /**
   * Opens the organisation's merchant account and claims its PSPID in every environment where its
   * e-commerce subscription is approved, in one transaction: if another merchant holds the name in
   * one of them (the unique index decides, so concurrent claims cannot both win), nothing is kept.
   */
  async function create(input: { organisationId: string; pspid: string }, actor: MerchantActor): Promise<Result<MerchantView, CreateMerchantProblem>> {
    const pspid = input.pspid.trim();
    if (!checkPspid(pspid)) return fail('invalid_pspid');
    const organisation = await getOrganisation(db, input.organisationId);
    if (!organisation) return fail('organisation_not_found');
    const environments = await repo.activeEnvironments(db, organisation.id);
    if (environments.length === 0) return fail('not_eligible');
    if (await repo.findMerchantOfOrganisation(db, organisation.id)) return fail('already_exists');
    const id = newId('mer');
    const outcome = await db
      .transaction()
      .execute(async (trx): Promise<CreateMerchantProblem | undefined> => {
        const now = clock.now();
        if (
          !(await repo.insertMerchant(trx, {
            id,
            organisationId: organisation.id,
            pspid,
            name: organisation.name,
            now,
            defaults: { feedbackParams: [...DEFAULT_FEEDBACK_PARAMETERS] },
          }))
        )
          return 'already_exists';
        for (const env of environments) {
          // Rolls the account back: a merchant without its name where it was approved would be useless.
          if (!(await repo.insertClaim(trx, { merchantId: id, env, pspid, now }))) throw new PspidTaken();
        }
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'merchant.created',
          subjectType: 'merchant',
          subjectId: id,
          organisationId: organisation.id,
          details: { pspid, environments: environments.join(',') },
        });
        return undefined;
      })
      .catch((error: unknown) => {
        if (error instanceof PspidTaken) return 'pspid_taken' as const;
        throw error;
      });
    if (outcome !== undefined) return fail(outcome);
    return ok(await view(await requireMerchant(id)));
  }

  async function settings(merchantId: string, env: EcommerceEnv): Promise<SettingsView> {
    const row = await repo.findSettings(db, merchantId, env);
    if (!row) throw new VarcoError('not_found', 'No such merchant configuration.');
    return { ...repo.settingsOf(row), env, shaInSet: row.sha_in_sealed !== null, shaOutSet: row.sha_out_sealed !== null, updatedAt: row.updated_at };
  }

  /**
   * Test ≠ prod, inside the caller's transaction, once the new values are written: each test
   * passphrase equal to a production one becomes a random one; referents are e-mailed.
   */
  async function enforceTestNotProd(trx: Kysely<Database>, m: repo.MerchantRow, test: Clear, prod: Clear, actor: MerchantActor): Promise<Replaced> {
    const replaced = testPassphrasesToReplace(test, prod);
    if (replaced.length === 0) return replaced;
    const sealed: Partial<repo.SealedPassphrases> = {};
    for (const which of replaced) sealed[which] = sealFor(m.id, 'test', which, generatePassphrase());
    await repo.updateSettings(trx, m.id, 'test', {}, sealed, clock.now());
    await audit.append(trx, {
      actorType: actor.type,
      actorId: actor.id,
      ip: actor.ip,
      action: 'merchant.test_passphrase_replaced',
      subjectType: 'merchant',
      subjectId: m.id,
      organisationId: m.organisation_id,
      details: { environment: 'test', fields: replaced.join(','), reason: 'equal_to_production' },
    });
    await mailPassphraseReplaced(trx, { id: m.id, organisationId: m.organisation_id, pspid: m.pspid, name: m.name }, replaced, publicUrl);
    return replaced;
  }

  /** Legacy hashing turned on: who acknowledged its risks, for which environment. */
  async function auditLegacyAccepted(trx: Kysely<Database>, m: repo.MerchantRow, env: EcommerceEnv, actor: MerchantActor): Promise<void> {
    await audit.append(trx, {
      actorType: actor.type,
      actorId: actor.id,
      ip: actor.ip,
      action: 'merchant.legacy_hashing_accepted',
      subjectType: 'merchant',
      subjectId: m.id,
      organisationId: m.organisation_id,
      details: { environment: env, acknowledged: 'orderid_amount_digits_movable,other_parameters_unsigned,redirect_urls_from_settings_only' },
    });
  }

  /** Validates and applies a change to one configuration; problems are returned, nothing is written then. */
  async function updateSettings(
    merchantId: string,
    env: EcommerceEnv,
    input: SettingsInput,
    actor: MerchantActor,
    scope: { organisationId?: string; feedbackHostRefused?: FeedbackHostRefused } = {},
  ): Promise<UpdateOutcome> {
    const m = await requireMerchant(merchantId, scope.organisationId);
    return db.transaction().execute(async (trx): Promise<UpdateOutcome> => {
      const rows = await repo.lockBothSettings(trx, m.id);
      const row = rows[env];
      const current = repo.settingsOf(row);
      const verdict = validateSettings(input, env, current, scope.feedbackHostRefused ? { feedbackHostRefused: scope.feedbackHostRefused } : {});
      if (!verdict.ok) return { ok: false, problems: verdict.problems };
      if (verdict.acceptsLegacy) verdict.patch.legacyHashingAcceptedAt = clock.now();
      const { shaIn, shaOut, ...plain } = verdict.patch;
      const changed = changedFields(verdict.patch, { ...current, shaInSet: row.sha_in_sealed !== null, shaOutSet: row.sha_out_sealed !== null });
      const sealed: Partial<repo.SealedPassphrases> = {};
      if (shaIn !== undefined) sealed.shaIn = shaIn === null ? null : sealFor(m.id, env, 'shaIn', shaIn);
      if (shaOut !== undefined) sealed.shaOut = shaOut === null ? null : sealFor(m.id, env, 'shaOut', shaOut);
      await repo.updateSettings(trx, m.id, env, plain, sealed, clock.now());
      if (changed.length > 0) {
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'merchant.settings_changed',
          subjectType: 'merchant',
          subjectId: m.id,
          organisationId: m.organisation_id,
          details: { environment: env, fields: changed.join(',') },
        });
      }
      if (verdict.acceptsLegacy) await auditLegacyAccepted(trx, m, env, actor);
      let replacedInTest: Replaced = [];
      if (shaIn !== undefined || shaOut !== undefined) {
        // The values just typed are in memory already; only the other side is opened.
        const typed: Clear = {
          shaIn: shaIn === undefined ? openFor(m.id, env, 'shaIn', row.sha_in_sealed) : shaIn,
          shaOut: shaOut === undefined ? openFor(m.id, env, 'shaOut', row.sha_out_sealed) : shaOut,
        };
        const other: EcommerceEnv = env === 'test' ? 'prod' : 'test';
        const stored = openBoth(m.id, other, rows[other]);
        replacedInTest = await enforceTestNotProd(trx, m, env === 'test' ? typed : stored, env === 'prod' ? typed : stored, actor);
      }
      return { ok: true, changed, replacedInTest };
    });
  }

  /** The differences copy test to production would apply, for the page that asks first (nothing changes). */
  async function copyPreview(merchantId: string, scope: { organisationId?: string } = {}): Promise<CopyPreview> {
    const m = await requireMerchant(merchantId, scope.organisationId);
    const rows = await repo.readBothSettings(db, m.id);
    const { legacyHashingAcceptedAt: _testAcknowledgement, ...testSettings } = repo.settingsOf(rows.test);
    const prodSettings = repo.settingsOf(rows.prod);
    const problems = checkForProduction({ ...testSettings, legacyHashingAcceptedAt: null }, prodSettings);
    if (problems.length > 0) return { ok: false, problems };
    const fields = changedFields(testSettings, { ...prodSettings, shaInSet: true, shaOutSet: true });
    const prodRecord = prodSettings as unknown as Record<string, unknown>;
    const testRecord = testSettings as unknown as Record<string, unknown>;
    return {
      ok: true,
      changes: fields.map((field) => ({ field, test: testRecord[field], prod: prodRecord[field] })),
      prodShaInSet: rows.prod.sha_in_sealed !== null,
      prodShaOutSet: rows.prod.sha_out_sealed !== null,
    };
  }

  /**
   * Copy test to production: every setting of test goes to prod. Production keeps its SHA-IN
   * passphrase unless `replaceShaIn` asks for a new random one (issue 14: never silently, the shop
   * must change at once); production without one always gets one. A new passphrase is returned here
   * once (the caller shows it and forgets it). Prod keeps its SHA-OUT.
   */
  async function copyTestToProd(
    merchantId: string,
    actor: MerchantActor,
    scope: { organisationId?: string } = {},
    options: { replaceShaIn?: boolean } = {},
  ): Promise<CopyOutcome> {
    const m = await requireMerchant(merchantId, scope.organisationId);
    return db.transaction().execute(async (trx): Promise<CopyOutcome> => {
      const rows = await repo.lockBothSettings(trx, m.id);
      // The acknowledgement of legacy hashing is production's own: never copied.
      const { legacyHashingAcceptedAt: _testAcknowledgement, ...testSettings } = repo.settingsOf(rows.test);
      const prodSettings = repo.settingsOf(rows.prod);
      const problems = checkForProduction({ ...testSettings, legacyHashingAcceptedAt: null }, prodSettings);
      if (problems.length > 0) return { ok: false, problems };
      const shaIn = options.replaceShaIn === true || rows.prod.sha_in_sealed === null ? generatePassphrase() : null;
      const changed = [...changedFields(testSettings, { ...prodSettings, shaInSet: true, shaOutSet: true }), ...(shaIn ? ['shaIn'] : [])];
      await repo.updateSettings(trx, m.id, 'prod', testSettings, shaIn ? { shaIn: sealFor(m.id, 'prod', 'shaIn', shaIn) } : {}, clock.now());
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'merchant.copied_to_prod',
        subjectType: 'merchant',
        subjectId: m.id,
        organisationId: m.organisation_id,
        details: { environment: 'prod', fields: changed.join(',') },
      });
      const prodShaOut = openFor(m.id, 'prod', 'shaOut', rows.prod.sha_out_sealed);
      const prodShaIn = shaIn ?? openFor(m.id, 'prod', 'shaIn', rows.prod.sha_in_sealed);
      await enforceTestNotProd(trx, m, openBoth(m.id, 'test', rows.test), { shaIn: prodShaIn, shaOut: prodShaOut }, actor);
      return { ok: true, shaIn, changed, prodShaOutSet: prodShaOut !== null };
    });
  }

  /** MerchantDirectory: the hosted page's view of a PSPID, passphrases opened in memory. */
  async function configFor(pspid: string, env: EcommerceEnv): Promise<MerchantConfig | undefined> {
    if (!checkPspid(pspid)) return undefined;
    const row = await repo.findConfig(db, pspid, env);
    if (!row || !row.active) return undefined;
    const { shaIn, shaOut } = openBoth(row.merchant_id, env, row);
    return { merchantId: row.merchant_id, organisationId: row.organisation_id, pspid: row.pspid, name: row.name, env, ...repo.settingsOf(row), shaIn, shaOut };
  }

  const directory: MerchantDirectory = { configFor };

  return {
    ...directory,
    create,
    ...createPspidClaims({ db, clock, audit, requireMerchant, view }),
    settings,
    updateSettings,
    copyTestToProd,
    copyPreview,
    /** The merchant, optionally scoped to an organisation (portal): undefined for another organisation's. */
    get: async (id: string, organisationId?: string) => {
      const m = await repo.findMerchant(db, id, organisationId);
      return m ? view(m) : undefined;
    },
    forOrganisation: async (organisationId: string) => {
      const m = await repo.findMerchantOfOrganisation(db, organisationId);
      return m ? view(m) : undefined;
    },
    /** The merchant holding a PSPID in `env` (or in either environment, or that asked for the name). */
    findByPspid: async (pspid: string, env?: EcommerceEnv) => {
      const m = await repo.findMerchantByPspid(db, pspid, env);
      return m ? view(m) : undefined;
    },
    /** Environments with an active `ecommerce` subscription: none means no merchant account may be opened. */
    activeEnvironments: (organisationId: string) => repo.activeEnvironments(db, organisationId),
  };
}

export type MerchantsService = ReturnType<typeof createMerchantsService>;
