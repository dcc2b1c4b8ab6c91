import type { Kysely } from 'kysely';
import { changeInTransaction, type Database, type OrganisationType } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { VarcoError } from '../../kernel/errors.ts';
import type { AuditEntry, AuditLog } from '../audit/index.ts';
import { getOrganisation } from '../organisations/index.ts';
import { sideOf, switchVerdict } from './registry.policy.ts';
import { lockSwitch, setEnabled, type SwitchKey } from './registry.repository.ts';
import type { Environment, RegistryActor, RegistryOutcome, RegistryProblem, Switched } from './registry.types.ts';

// What every change to the registry shares: who may act for which organisation, the `node` product
// gate for referents, the refusal shape, the audit row of each change, and the switches (who may
// switch a record back on: registry.policy.ts).

export interface AdministrationOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /**
   * Whether the organisation has an active `node` subscription in `env` (subscriptions module). The
   * node product is what the registry serves: referents register PSPs and links only where their
   * organisation may call the node. Administrators and the CLI may prepare records beforehand.
   */
  nodeActive: (organisationId: string, env: Environment) => Promise<boolean>;
  /** Called after every registry transaction: this process's directory cache forgets what it kept (directory.cache.ts). */
  changed?: () => void;
}

/**
 * A registry change in one transaction. Afterwards (committed or not) this process's directory cache
 * is dropped at once; the other instances hear of it from the tables' triggers (migration 0030).
 */
export function changeRegistry<T>(options: Pick<AdministrationOptions, 'db' | 'changed'>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return changeInTransaction(options.db, options.changed, work);
}

export function refused<T>(problems: RegistryProblem[]): RegistryOutcome<T> {
  return { ok: false, problem: problems[0] ?? 'not_found', problems };
}

/** Thrown inside a transaction to roll it back with a refusal (caught by `refusing`). */
export class Refused extends Error {
  readonly problem: RegistryProblem;
  constructor(problem: RegistryProblem) {
    super(problem);
    this.problem = problem;
  }
}

export async function refusing<T>(work: () => Promise<T>): Promise<RegistryOutcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof Refused) return refused([error.problem]);
    throw error;
  }
}

export const isEnvironment = (env: string): env is Environment => env === 'test' || env === 'prod';

/** Referents act for their own organisation only; a page that asks otherwise is a bug, not an input. */
export function assertMayActFor(actor: RegistryActor, organisationId: string): void {
  if (actor.type === 'referent' && actor.organisationId !== organisationId) {
    throw new VarcoError('forbidden', 'Referents manage the pagoPA records of their own organisation only.');
  }
}

/** Whether the actor sees this organisation's record (referents: their own only; unseen = not found). */
export const sees = (actor: RegistryActor, organisationId: string): boolean => actor.type !== 'referent' || actor.organisationId === organisationId;

/** The organisation a record is created for: it exists, has a fitting type and, for referents, the `node` product in `env`. */
export async function eligibleOrganisation(
  options: AdministrationOptions,
  input: { organisationId: string; env: Environment; types: readonly OrganisationType[]; wrongType: RegistryProblem; actor: RegistryActor },
) {
  const organisation = await getOrganisation(options.db, input.organisationId);
  if (!organisation) return { problem: 'organisation_not_found' as const };
  if (!input.types.includes(organisation.type)) return { problem: input.wrongType };
  if (input.actor.type === 'referent' && !(await options.nodeActive(organisation.id, input.env))) return { problem: 'node_subscription_required' as const };
  return { organisation };
}

/** The audit row of a registry change, by the actor, inside the change's transaction. */
export function auditChange(
  options: AdministrationOptions,
  trx: Kysely<Database>,
  actor: RegistryActor,
  entry: Pick<AuditEntry, 'action' | 'subjectType' | 'subjectId' | 'organisationId' | 'details'>,
): Promise<string> {
  return options.audit.append(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, ...entry });
}

/** One update and its audit row in one transaction; false (nothing audited) when the row is gone. */
export async function updateAudited(
  options: AdministrationOptions,
  actor: RegistryActor,
  change: {
    apply: (trx: Kysely<Database>, now: Date) => Promise<bigint>;
    audit: Pick<AuditEntry, 'action' | 'subjectType' | 'subjectId' | 'organisationId' | 'details'>;
  },
): Promise<boolean> {
  return changeRegistry(options, async (trx) => {
    if ((await change.apply(trx, options.clock.now())) !== 1n) return false;
    await auditChange(options, trx, actor, change.audit);
    return true;
  });
}

/** The audit row of a switch, per kind: its subject type and its actions (spelled out, so a search for an action finds it). */
const SWITCH_AUDIT = {
  psp: { subjectType: 'pagopa_psp', on: 'pagopa.psp.enabled', off: 'pagopa.psp.disabled' },
  broker: { subjectType: 'pagopa_broker', on: 'pagopa.broker.enabled', off: 'pagopa.broker.disabled' },
  channel: { subjectType: 'pagopa_channel', on: 'pagopa.channel.enabled', off: 'pagopa.channel.disabled' },
  ec: { subjectType: 'pagopa_ec', on: 'pagopa.ec.enabled', off: 'pagopa.ec.disabled' },
  ec_link: { subjectType: 'pagopa_ec_link', on: 'pagopa.ec_link.enabled', off: 'pagopa.ec_link.disabled' },
} as const satisfies Record<SwitchKey['kind'], { subjectType: string; on: string; off: string }>;

/**
 * Switches one record on or off (its `enabled` flag, who it is off by, `updated_at`) with its audit row
 * (SWITCH_AUDIT) in one transaction, the row locked meanwhile. A referent switching on what an
 * administrator switched off is refused (`disabled_by_administrator`, registry.policy.ts); the audit
 * row of a disable says who it is off by now, that of an enable who it was off by. `not_found` when
 * the row is gone.
 */
export function setEnabledAudited(
  options: AdministrationOptions,
  actor: RegistryActor,
  enabled: boolean,
  record: SwitchKey & Required<Pick<AuditEntry, 'organisationId' | 'details'>>,
): Promise<RegistryOutcome<Switched>> {
  const names = SWITCH_AUDIT[record.kind];
  return refusing(() =>
    changeRegistry(options, async (trx) => {
      const current = await lockSwitch(trx, record);
      if (!current) throw new Refused('not_found');
      const verdict = switchVerdict(current.disabled_by, sideOf(actor), enabled);
      if (!verdict.ok) throw new Refused(verdict.problem);
      await setEnabled(trx, record, verdict.disabledBy, options.clock.now());
      await auditChange(options, trx, actor, {
        action: enabled ? names.on : names.off,
        subjectType: names.subjectType,
        subjectId: subjectIdOf(record),
        organisationId: record.organisationId,
        details: { ...record.details, ...(enabled ? { wasDisabledBy: current.disabled_by } : { disabledBy: verdict.disabledBy }) },
      });
      return { enabled, disabledBy: verdict.disabledBy };
    }),
  );
}

/** The audit subject id of a record: its id, or its key's parts joined as its other audit rows join them. */
function subjectIdOf(key: SwitchKey): string {
  switch (key.kind) {
    case 'broker':
      return `${key.env}:${key.idBrokerPsp}`;
    case 'ec':
      return `${key.organisationId}:${key.env}`;
    default:
      return key.id;
  }
}
