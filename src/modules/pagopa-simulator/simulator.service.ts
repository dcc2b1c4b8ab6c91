import type { Kysely } from 'kysely';
import { changeInTransaction, type Database, type NotifiedMemo } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { getOrganisation } from '../organisations/index.ts';
import { isEcFiscalCode } from '../../protocols/pagopa/index.ts';
import { shadowedBy } from './pattern.ts';
import { validateScenario, type ScenarioInput, type ScenarioProblem } from './scenario.policy.ts';
import { MAX_SCENARIOS, type Scenario, type SimulatedEc } from './scenario.types.ts';
import * as repo from './simulator.repository.ts';

// The EC's settings of its simulated station (test environment only): on/off, primitive version,
// and the ordered scenarios. Every change runs under the EC's row lock, checks the version the page
// was built from, and writes its audit row in the same transaction.

export interface SimulatorActor {
  type: 'referent' | 'admin' | 'cli';
  id: string | null;
  ip: string | null;
}

/** Why an organisation cannot have a simulated station. */
export type Eligibility = 'eligible' | 'not_creditor_institution' | 'no_fiscal_code';

export interface SimulatorView {
  organisationId: string;
  eligibility: Eligibility;
  /** The EC as the station answers for it (fiscal code = tax code); undefined when not eligible. */
  ec: SimulatedEc | undefined;
  enabled: boolean;
  primitiveVersion: 1 | 2;
  scenarios: Scenario[];
  /** Per position: the earlier position whose pattern hides this scenario entirely. */
  shadowedBy: Array<number | undefined>;
  version: number;
  updatedAt: Date | undefined;
}

export type ChangeRefusal = 'not_found' | 'not_eligible' | 'stale' | 'too_many' | 'invalid';
export type Change<T> = { ok: true; value: T } | { ok: false; reason: ChangeRefusal; problems?: ScenarioProblem[] };

/** Thrown inside a change's transaction to roll it back and answer the refusal. */
class Refused extends Error {
  readonly outcome: Extract<Change<never>, { ok: false }>;
  constructor(outcome: Extract<Change<never>, { ok: false }>) {
    super(outcome.reason);
    this.outcome = outcome;
  }
}

/** A change that changes nothing: rolled back like a refusal (no version, no audit row), answered as a success. */
class Unchanged extends Error {
  readonly result: unknown;
  constructor(result: unknown) {
    super('unchanged');
    this.result = result;
  }
}

export type MoveDirection = 'up' | 'down' | 'top' | 'bottom';

export interface SimulatorSettingsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** What the simulated station keeps of this table (the station memory): forgotten after each change here. */
  memo?: Pick<NotifiedMemo, 'changed'> | undefined;
}

async function ecOf(db: Kysely<Database>, organisationId: string): Promise<{ eligibility: Eligibility; ec?: SimulatedEc } | undefined> {
  const org = await getOrganisation(db, organisationId);
  if (!org) return undefined;
  if (org.type !== 'creditor_institution') return { eligibility: 'not_creditor_institution' };
  if (!isEcFiscalCode(org.tax_code)) return { eligibility: 'no_fiscal_code' };
  return { eligibility: 'eligible', ec: { fiscalCode: org.tax_code, name: org.name } };
}

/** The EC a simulated station answers for, or undefined when the organisation cannot have one. */
export async function simulatedEc(db: Kysely<Database>, organisationId: string): Promise<SimulatedEc | undefined> {
  return (await ecOf(db, organisationId))?.ec;
}

function moved(list: Scenario[], from: number, direction: MoveDirection): Scenario[] {
  const to = { up: from - 1, down: from + 1, top: 0, bottom: list.length - 1 }[direction];
  if (to < 0 || to >= list.length || to === from) return list;
  const next = [...list];
  const [item] = next.splice(from, 1) as [Scenario];
  next.splice(to, 0, item);
  return next;
}

export function createSimulatorSettings(options: SimulatorSettingsOptions) {
  const { db, clock, audit } = options;

  async function view(organisationId: string): Promise<SimulatorView | undefined> {
    const ec = await ecOf(db, organisationId);
    if (!ec) return undefined;
    const row = await repo.findSimulator(db, organisationId);
    const scenarios = row?.scenarios ?? [];
    return {
      organisationId,
      eligibility: ec.eligibility,
      ec: ec.ec,
      enabled: row?.enabled ?? false,
      primitiveVersion: row?.primitive_version ?? 2,
      scenarios,
      shadowedBy: shadowedBy(scenarios.map((s) => s.pattern)),
      version: row?.version ?? 0,
      updatedAt: row?.updated_at,
    };
  }

  /**
   * Runs one change under the row lock: `apply` returns the new row content and the audit entry,
   * or a refusal. A page built from another version is refused as `stale`.
   */
  async function change<T>(
    organisationId: string,
    expectedVersion: number | undefined,
    actor: SimulatorActor,
    apply: (row: repo.SimulatorRow) => Change<{
      row: Omit<repo.SimulatorRow, 'updated_at' | 'version' | 'organisation_id'>;
      action: string;
      subjectId?: string;
      details: Record<string, string | number | boolean | null>;
      result: T;
      /** Nothing differs from the row: nothing is written, nothing audited. */
      unchanged?: boolean;
    }>,
  ): Promise<Change<T>> {
    const ec = await ecOf(db, organisationId);
    if (!ec) return { ok: false, reason: 'not_found' };
    if (ec.eligibility !== 'eligible') return { ok: false, reason: 'not_eligible' };
    // This instance uses the change at once; the others when the trigger's notification arrives (migration 0035).
    // A refusal rolls back: the row lockSimulator may have just created must not outlive it.
    return changeInTransaction(
      db,
      () => options.memo?.changed(),
      async (trx) => {
        const now = clock.now();
        const current = await repo.lockSimulator(trx, organisationId, now);
        // A row just created has version 1 while the page showed 0 (no row yet): the same state.
        const seen = expectedVersion === 0 ? 1 : expectedVersion;
        if (seen !== undefined && seen !== current.version) throw new Refused({ ok: false, reason: 'stale' });
        const outcome = apply(current);
        if (!outcome.ok) throw new Refused(outcome);
        const { row, action, subjectId, details, result } = outcome.value;
        if (outcome.value.unchanged === true) throw new Unchanged(result);
        await repo.saveSimulator(trx, { ...row, organisation_id: organisationId, version: current.version + 1 }, now);
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action,
          organisationId,
          subjectType: subjectId ? 'pagopa_simulator_scenario' : 'pagopa_simulator',
          subjectId: subjectId ?? organisationId,
          details,
        });
        return { ok: true, value: result } as const;
      },
    ).catch((error: unknown) => {
      if (error instanceof Refused) return error.outcome;
      if (error instanceof Unchanged) return { ok: true, value: error.result as T } as const;
      throw error;
    });
  }

  const indexOf = (r: repo.SimulatorRow, id: string): number => r.scenarios.findIndex((s) => s.id === id);

  return {
    view,
    simulatedEc: (organisationId: string) => simulatedEc(db, organisationId),

    async list(): Promise<Array<{ organisationId: string; enabled: boolean; primitiveVersion: 1 | 2; scenarioCount: number; updatedAt: Date }>> {
      return (await repo.listSimulators(db)).map((r) => ({
        organisationId: r.organisation_id,
        enabled: r.enabled,
        primitiveVersion: r.primitive_version,
        scenarioCount: r.scenarios.length,
        updatedAt: r.updated_at,
      }));
    },

    /** `primitiveVersion` as typed in a form (`'1'`, `'2'`) is read here; anything else is refused, never defaulted. */
    updateSettings(
      organisationId: string,
      input: { enabled: boolean; primitiveVersion: 1 | 2 | string | undefined; expectedVersion?: number },
      actor: SimulatorActor,
    ): Promise<Change<{ changed: boolean }>> {
      const v = String(input.primitiveVersion ?? '').trim();
      const primitiveVersion = v === '1' ? 1 : v === '2' ? 2 : undefined;
      return change(organisationId, input.expectedVersion, actor, (r) => {
        if (primitiveVersion === undefined)
          return { ok: false, reason: 'invalid', problems: [{ field: 'primitiveVersion', code: 'primitive_version_invalid' }] };
        const changed = r.enabled !== input.enabled || r.primitive_version !== primitiveVersion;
        return {
          ok: true,
          value: {
            row: { ...repo.settingsOf(r), enabled: input.enabled, primitive_version: primitiveVersion },
            action: 'pagopa_simulator.settings_changed',
            details: { enabled: input.enabled, primitiveVersion, wasEnabled: r.enabled, wasPrimitiveVersion: r.primitive_version },
            result: { changed },
            unchanged: !changed,
          },
        };
      });
    },

    addScenario(organisationId: string, input: ScenarioInput, expectedVersion: number | undefined, actor: SimulatorActor): Promise<Change<Scenario>> {
      return change(organisationId, expectedVersion, actor, (r) => {
        if (r.scenarios.length >= MAX_SCENARIOS) return { ok: false, reason: 'too_many' };
        const checked = validateScenario(
          input,
          newId('scn'),
          r.scenarios.map((s) => s.pattern),
        );
        if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
        const s = checked.scenario;
        return {
          ok: true,
          value: {
            row: { ...repo.settingsOf(r), scenarios: [...r.scenarios, s] },
            action: 'pagopa_simulator.scenario_added',
            subjectId: s.id,
            details: { pattern: s.pattern, answer: s.answer, position: r.scenarios.length + 1 },
            result: s,
          },
        };
      });
    },

    updateScenario(
      organisationId: string,
      scenarioId: string,
      input: ScenarioInput,
      expectedVersion: number | undefined,
      actor: SimulatorActor,
    ): Promise<Change<Scenario>> {
      return change(organisationId, expectedVersion, actor, (r) => {
        const at = indexOf(r, scenarioId);
        if (at === -1) return { ok: false, reason: 'not_found' };
        const checked = validateScenario(
          input,
          scenarioId,
          r.scenarios.filter((_, i) => i !== at).map((s) => s.pattern),
        );
        if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
        const s = checked.scenario;
        return {
          ok: true,
          value: {
            row: { ...repo.settingsOf(r), scenarios: r.scenarios.map((x, i) => (i === at ? s : x)) },
            action: 'pagopa_simulator.scenario_changed',
            subjectId: s.id,
            details: { pattern: s.pattern, answer: s.answer, position: at + 1 },
            result: s,
          },
        };
      });
    },

    moveScenario(
      organisationId: string,
      scenarioId: string,
      direction: MoveDirection,
      expectedVersion: number | undefined,
      actor: SimulatorActor,
    ): Promise<Change<{ position: number }>> {
      return change(organisationId, expectedVersion, actor, (r) => {
        const at = indexOf(r, scenarioId);
        if (at === -1) return { ok: false, reason: 'not_found' };
        const scenarios = moved(r.scenarios, at, direction);
        const position = scenarios.findIndex((s) => s.id === scenarioId) + 1;
        return {
          ok: true,
          value: {
            row: { ...repo.settingsOf(r), scenarios },
            action: 'pagopa_simulator.scenario_moved',
            subjectId: scenarioId,
            details: { from: at + 1, to: position },
            result: { position },
          },
        };
      });
    },

    deleteScenario(
      organisationId: string,
      scenarioId: string,
      expectedVersion: number | undefined,
      actor: SimulatorActor,
    ): Promise<Change<{ pattern: string }>> {
      return change(organisationId, expectedVersion, actor, (r) => {
        const at = indexOf(r, scenarioId);
        const gone = r.scenarios[at];
        if (gone === undefined) return { ok: false, reason: 'not_found' };
        return {
          ok: true,
          value: {
            row: { ...repo.settingsOf(r), scenarios: r.scenarios.filter((_, i) => i !== at) },
            action: 'pagopa_simulator.scenario_deleted',
            subjectId: scenarioId,
            details: { pattern: gone.pattern, position: at + 1 },
            result: { pattern: gone.pattern },
          },
        };
      });
    },
  };
}

export type SimulatorSettings = ReturnType<typeof createSimulatorSettings>;
