import { newId } from '../../kernel/ids.ts';
import { hashPassword } from '../identity/index.ts';
import type { PasswordCache } from './channel-password.cache.ts';
import {
  assertMayActFor,
  auditChange,
  eligibleOrganisation,
  isEnvironment,
  Refused,
  refused,
  refusing,
  sees,
  setEnabledAudited,
  updateAudited,
  changeRegistry,
  type AdministrationOptions,
} from './registry.access.ts';
import { channelPasswordProblem, isRegistryId } from './registry.policy.ts';
import * as repo from './registry.repository.ts';
import type { Environment, RegistryActor, RegistryOutcome, RegistryProblem, Switched } from './registry.types.ts';

// PSP records, their brokers and channels. `addPsp` creates what is missing — the broker, the PSP,
// and always a new channel — so one command onboards a PSP and the same command adds a channel to it.
// Identifiers are unique per environment by constraint; a channel password is hashed (argon2id)
// before the transaction and never stored, logged or audited in the clear.

export interface AddPspInput {
  organisationId: string;
  env: string;
  idPsp: string;
  idBrokerPsp: string;
  idChannel: string;
  password: string;
  /** Forms ask twice; the CLI reads one file. */
  passwordConfirm?: string;
}

export interface AddedPsp {
  pspId: string;
  channelId: string;
  pspCreated: boolean;
  brokerCreated: boolean;
}

function inputProblems(input: AddPspInput): RegistryProblem[] {
  return [
    ...(isEnvironment(input.env) ? [] : ['environment_invalid' as const]),
    ...(isRegistryId(input.idPsp) ? [] : ['id_psp_invalid' as const]),
    ...(isRegistryId(input.idBrokerPsp) ? [] : ['id_broker_psp_invalid' as const]),
    ...(isRegistryId(input.idChannel) ? [] : ['id_channel_invalid' as const]),
    ...[channelPasswordProblem(input.password, input.passwordConfirm)].filter((p) => p !== undefined),
  ];
}

export function createPspsService(options: AdministrationOptions & { passwords: PasswordCache }) {
  const { db, clock, passwords } = options;

  async function addPsp(input: AddPspInput, actor: RegistryActor): Promise<RegistryOutcome<AddedPsp>> {
    assertMayActFor(actor, input.organisationId);
    const problems = inputProblems(input);
    if (problems.length > 0 || !isEnvironment(input.env)) return refused(problems);
    const env: Environment = input.env;
    const eligible = await eligibleOrganisation(options, {
      organisationId: input.organisationId,
      env,
      types: ['psp', 'technology_partner'],
      wrongType: 'organisation_not_psp',
      actor,
    });
    if (!eligible.organisation) return refused([eligible.problem]);
    const organisationId = eligible.organisation.id;
    const passwordHash = await hashPassword(input.password);
    return refusing(() =>
      changeRegistry(options, async (trx) => {
        const now = clock.now();
        // ON CONFLICT DO NOTHING waits for a concurrent insert of the same id, so the re-read below sees the winner.
        const brokerCreated =
          (await trx
            .insertInto('pagopa_psp_brokers')
            .values({ environment: env, id_broker_psp: input.idBrokerPsp, organisation_id: organisationId, created_at: now, updated_at: now })
            .onConflict((oc) => oc.columns(['environment', 'id_broker_psp']).doNothing())
            .returning('id_broker_psp')
            .executeTakeFirst()) !== undefined;
        const broker = await repo.findBroker(trx, env, input.idBrokerPsp);
        if (broker?.organisation_id !== organisationId) throw new Refused('broker_taken');
        const newPspId = newId('psp');
        const pspCreated =
          (await trx
            .insertInto('pagopa_psps')
            .values({
              id: newPspId,
              organisation_id: organisationId,
              environment: env,
              id_psp: input.idPsp,
              id_broker_psp: input.idBrokerPsp,
              created_at: now,
              updated_at: now,
            })
            .onConflict((oc) => oc.constraint('pagopa_psps_env_id_psp').doNothing())
            .returning('id')
            .executeTakeFirst()) !== undefined;
        const psp = await repo.findPspByCode(trx, env, input.idPsp);
        if (psp?.organisation_id !== organisationId) throw new Refused('psp_taken');
        if (psp.id_broker_psp !== input.idBrokerPsp) throw new Refused('broker_mismatch');
        const channelId = newId('chn');
        const channel = await trx
          .insertInto('pagopa_channels')
          .values({
            id: channelId,
            psp_id: psp.id,
            environment: env,
            id_channel: input.idChannel,
            password_hash: passwordHash,
            password_set_at: now,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.constraint('pagopa_channels_env_id_channel').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!channel) throw new Refused('channel_taken');
        if (pspCreated) {
          await auditChange(options, trx, actor, {
            action: 'pagopa.psp.created',
            subjectType: 'pagopa_psp',
            subjectId: psp.id,
            organisationId,
            details: { environment: env, idPsp: input.idPsp, idBrokerPsp: input.idBrokerPsp, brokerCreated },
          });
        }
        await auditChange(options, trx, actor, {
          action: 'pagopa.channel.added',
          subjectType: 'pagopa_channel',
          subjectId: channelId,
          organisationId,
          details: { environment: env, idPsp: input.idPsp, idChannel: input.idChannel },
        });
        return { pspId: psp.id, channelId, pspCreated, brokerCreated };
      }),
    );
  }

  /** Replaces a channel's password; the old one stops working at once, in every instance (see the cache). */
  async function setChannelPassword(
    channelId: string,
    input: { password: string; passwordConfirm?: string },
    actor: RegistryActor,
  ): Promise<RegistryOutcome<{ channelId: string }>> {
    const channel = await repo.findChannel(db, channelId);
    if (!channel || !sees(actor, channel.organisation_id)) return refused(['not_found']);
    const problem = channelPasswordProblem(input.password, input.passwordConfirm);
    if (problem) return refused([problem]);
    const passwordHash = await hashPassword(input.password);
    const done = await updateAudited(options, actor, {
      apply: async (trx, now) =>
        (
          await trx
            .updateTable('pagopa_channels')
            .set({ password_hash: passwordHash, password_set_at: now, updated_at: now })
            .where('id', '=', channelId)
            .executeTakeFirst()
        ).numUpdatedRows,
      audit: {
        action: 'pagopa.channel.password_replaced',
        subjectType: 'pagopa_channel',
        subjectId: channelId,
        organisationId: channel.organisation_id,
        details: { environment: channel.environment, idChannel: channel.id_channel },
      },
    });
    passwords.drop(channelId);
    return done ? { ok: true, value: { channelId } } : refused(['not_found']);
  }

  async function setPspEnabled(pspId: string, enabled: boolean, actor: RegistryActor): Promise<RegistryOutcome<Switched>> {
    const psp = await repo.findPsp(db, pspId);
    if (!psp || !sees(actor, psp.organisation_id)) return refused(['not_found']);
    const details = { environment: psp.environment, idPsp: psp.id_psp };
    return setEnabledAudited(options, actor, enabled, { kind: 'psp', id: pspId, organisationId: psp.organisation_id, details });
  }

  async function setBrokerEnabled(env: Environment, idBrokerPsp: string, enabled: boolean, actor: RegistryActor): Promise<RegistryOutcome<Switched>> {
    const broker = await repo.findBroker(db, env, idBrokerPsp);
    if (!broker || !sees(actor, broker.organisation_id)) return refused(['not_found']);
    const details = { environment: env, idBrokerPsp };
    return setEnabledAudited(options, actor, enabled, { kind: 'broker', env, idBrokerPsp, organisationId: broker.organisation_id, details });
  }

  async function setChannelEnabled(channelId: string, enabled: boolean, actor: RegistryActor): Promise<RegistryOutcome<Switched>> {
    const channel = await repo.findChannel(db, channelId);
    if (!channel || !sees(actor, channel.organisation_id)) return refused(['not_found']);
    const details = { environment: channel.environment, idChannel: channel.id_channel };
    return setEnabledAudited(options, actor, enabled, { kind: 'channel', id: channelId, organisationId: channel.organisation_id, details });
  }

  /** Brokers and PSPs with their channels (never their hashes); referents see their organisation's only. */
  async function listPsps(filter: repo.ListFilter = {}) {
    const [brokers, psps] = await Promise.all([repo.listBrokers(db, filter), repo.listPsps(db, filter)]);
    const channels = await repo.listChannels(
      db,
      psps.map((p) => p.id),
    );
    return { brokers, psps: psps.map((p) => ({ ...p, channels: channels.filter((c) => c.psp_id === p.id) })) };
  }

  return {
    addPsp,
    setChannelPassword,
    setPspEnabled,
    setBrokerEnabled,
    setChannelEnabled,
    listPsps,
    pspByCode: (env: Environment, idPsp: string) => repo.findPspByCode(db, env, idPsp),
    channelByCode: (env: Environment, idChannel: string) => repo.findChannelByCode(db, env, idChannel),
  };
}

export type PspsService = ReturnType<typeof createPspsService>;
