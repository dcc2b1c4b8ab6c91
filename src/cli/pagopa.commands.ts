import {
  REGISTRY_PROBLEM_TEXT,
  type Environment,
  type DisabledBy,
  type PagopaRegistry,
  type RegistryActor,
  type RegistryOutcome,
  type Switched,
} from '../modules/pagopa-registry/index.ts';
import { output, parse, required, UsageError, type Options } from './args.ts';
import type { CliContext } from './context.ts';
import { cliGate } from './proposal.commands.ts';
import { partnerLinkParams } from '../modules/proposals/index.ts';
import type { Command } from './core.commands.ts';
import { readSecretFile } from './prompt.ts';
import { envOption } from './station.commands.ts';

// `npx varco psp …` and `npx varco ec …`: the pagoPA registry from the command line. The operator
// acts as an administrator (audited as `cli`); channel passwords are read from a file (first line)
// and never printed. Refusals exit 64 with every reason.

const CLI_ACTOR: RegistryActor = { type: 'cli', id: null, ip: null };
type Values = Record<string, string | boolean | undefined>;

async function wired(ctx: CliContext): Promise<PagopaRegistry> {
  return (await ctx.container()).services.pagopaRegistry;
}

const text = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' && values[name] !== '' ? values[name] : undefined);

/** The value of a refused change, or a usage error listing every reason. */
function accepted<T>(outcome: RegistryOutcome<T>, what: string): T {
  if (!outcome.ok) throw new UsageError(`${what}:\n${outcome.problems.map((p) => `  ${REGISTRY_PROBLEM_TEXT[p]}`).join('\n')}`);
  return outcome.value;
}

async function channelPassword(values: Values): Promise<string> {
  return readSecretFile(required(values, 'channel-password-file'), 'channel-password-file');
}

/** Exactly one of the named options, for commands that act on one record of several kinds. */
function oneOf(values: Values, names: string[]): string {
  const given = names.filter((n) => text(values, n) !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of ${names.map((n) => `--${n}`).join(', ')}`);
  return given[0] ?? '';
}

/** A change to one record done, or a usage error: `missing` when the record is not found, every reason otherwise. */
function changed<T>(outcome: RegistryOutcome<T> | undefined, missing: string): void {
  if (outcome === undefined || (!outcome.ok && outcome.problem === 'not_found')) throw new UsageError(missing);
  accepted(outcome, 'not changed');
}

async function pspSwitch(values: Values, registry: PagopaRegistry, enabled: boolean): Promise<string> {
  const env = envOption(values);
  const which = oneOf(values, ['psp-id', 'broker-id', 'channel-id']);
  const id = text(values, which) ?? '';
  const done = async (): Promise<RegistryOutcome<Switched> | undefined> => {
    if (which === 'broker-id') return registry.psps.setBrokerEnabled(env, id, enabled, CLI_ACTOR);
    if (which === 'psp-id') {
      const psp = await registry.psps.pspByCode(env, id);
      return psp && registry.psps.setPspEnabled(psp.id, enabled, CLI_ACTOR);
    }
    const channel = await registry.psps.channelByCode(env, id);
    return channel && registry.psps.setChannelEnabled(channel.id, enabled, CLI_ACTOR);
  };
  changed(await done(), `no ${which.replace('-id', '')} ${id} in ${env}`);
  return `${which.replace('-id', '')} ${id} (${env}) ${enabled ? 'enabled' : 'disabled'}.`;
}

async function ecSwitch(values: Values, registry: PagopaRegistry, enabled: boolean): Promise<string> {
  const which = oneOf(values, ['org', 'link']);
  if (which === 'link') {
    const id = text(values, 'link') ?? '';
    changed(await registry.ecs.setLinkEnabled(id, enabled, CLI_ACTOR), `no EC link ${id}`);
    return `Link ${id} ${enabled ? 'enabled' : 'disabled'}.`;
  }
  const env = envOption(values);
  const org = text(values, 'org') ?? '';
  changed(await registry.ecs.setEcEnabled(org, env, enabled, CLI_ACTOR), `organisation ${org} is no EC in ${env}`);
  return `EC ${org} (${env}) ${enabled ? 'enabled' : 'disabled'}.`;
}

const filterOf = (values: Values): { organisationId?: string; env?: Environment } => ({
  ...(text(values, 'org') ? { organisationId: text(values, 'org') } : {}),
  ...(values.env === undefined ? {} : { env: envOption(values) }),
});

/** A record's state in a list: who switched it off, when off (a referent may switch back on only what its organisation did). */
const flag = (enabled: boolean, disabledBy: DisabledBy | null | undefined): string => (enabled ? 'enabled' : `DISABLED by ${disabledBy ?? 'administrator'}`);

export const pagopaCommands: Record<string, { summary: string; run: Command }> = {
  'psp add': {
    summary:
      'register a pagoPA PSP (and its broker) with a channel, or add a channel to an existing PSP (--org ID --env E --psp-id P --broker-id B --channel-id C --channel-password-file F)',
    run: async (args, ctx) => {
      const { values } = parse(args, {
        org: { type: 'string' },
        env: { type: 'string' },
        'psp-id': { type: 'string' },
        'broker-id': { type: 'string' },
        'channel-id': { type: 'string' },
        'channel-password-file': { type: 'string' },
      });
      const input = {
        organisationId: required(values, 'org'),
        env: required(values, 'env'),
        idPsp: required(values, 'psp-id'),
        idBrokerPsp: required(values, 'broker-id'),
        idChannel: required(values, 'channel-id'),
        password: await channelPassword(values),
      };
      const added = accepted(await (await wired(ctx)).psps.addPsp(input, CLI_ACTOR), 'PSP not registered');
      output(
        ctx,
        values.json === true,
        { ...added, environment: input.env, idPsp: input.idPsp, idBrokerPsp: input.idBrokerPsp, idChannel: input.idChannel },
        `${added.pspCreated ? `PSP ${input.idPsp} registered (${added.pspId}) with broker ${input.idBrokerPsp}` : `PSP ${input.idPsp} (${added.pspId})`}; channel ${input.idChannel} added (${added.channelId}) in ${input.env}.`,
      );
      return 0;
    },
  },
  'psp password': {
    summary: 'replace a channel\u2019s password (--env E --channel-id C --channel-password-file F)',
    run: async (args, ctx) => {
      const { values } = parse(args, { env: { type: 'string' }, 'channel-id': { type: 'string' }, 'channel-password-file': { type: 'string' } });
      const env = envOption(values);
      const registry = await wired(ctx);
      const channel = await registry.psps.channelByCode(env, required(values, 'channel-id'));
      if (!channel) throw new UsageError(`no channel ${required(values, 'channel-id')} in ${env}`);
      accepted(await registry.psps.setChannelPassword(channel.id, { password: await channelPassword(values) }, CLI_ACTOR), 'password not replaced');
      output(
        ctx,
        values.json === true,
        { channelId: channel.id, idChannel: channel.id_channel, environment: env },
        `Password of channel ${channel.id_channel} (${env}) replaced.`,
      );
      return 0;
    },
  },
  'psp list': {
    summary: 'list pagoPA PSPs with their brokers and channels ([--org ID] [--env test|prod])',
    run: async (args, ctx) => {
      const { values } = parse(args, { org: { type: 'string' }, env: { type: 'string' } });
      const { brokers, psps } = await (await wired(ctx)).psps.listPsps(filterOf(values));
      const brokerOf = new Map(brokers.map((b) => [`${b.environment}:${b.id_broker_psp}`, b]));
      const broker = (p: (typeof psps)[number]) => brokerOf.get(`${p.environment}:${p.id_broker_psp}`);
      output(
        ctx,
        values.json === true,
        psps.map((p) => ({
          id: p.id,
          environment: p.environment,
          idPsp: p.id_psp,
          idBrokerPsp: p.id_broker_psp,
          organisationId: p.organisation_id,
          organisation: p.organisation_name,
          enabled: p.enabled,
          disabledBy: p.disabled_by,
          brokerEnabled: broker(p)?.enabled ?? false,
          brokerDisabledBy: broker(p)?.disabled_by ?? null,
          channels: p.channels.map((c) => ({
            id: c.id,
            idChannel: c.id_channel,
            enabled: c.enabled,
            disabledBy: c.disabled_by,
            passwordSetAt: c.password_set_at.toISOString(),
          })),
        })),
        psps
          .map((p) =>
            [
              `${p.id}  ${p.environment.padEnd(4)} ${p.id_psp.padEnd(20)} broker ${p.id_broker_psp} (${flag(broker(p)?.enabled ?? false, broker(p)?.disabled_by)})  ${flag(p.enabled, p.disabled_by)}  ${p.organisation_name}`,
              ...p.channels.map((c) => `    channel ${c.id_channel.padEnd(24)} ${flag(c.enabled, c.disabled_by)}  ${c.id}`),
            ].join('\n'),
          )
          .join('\n') || 'No PSPs.',
      );
      return 0;
    },
  },
  'psp enable': { summary: 'enable a PSP, a broker or a channel (--env E --psp-id P | --broker-id B | --channel-id C)', run: switchCommand('psp', true) },
  'psp disable': {
    summary: 'disable a PSP, a broker or a channel: the node refuses it (--env E --psp-id P | --broker-id B | --channel-id C)',
    run: switchCommand('psp', false),
  },
  'ec add': {
    summary: 'register a creditor institution as an EC of the node without linking a station yet (--org ID --env E)',
    run: async (args, ctx) => {
      const { values } = parse(args, { org: { type: 'string' }, env: { type: 'string' } });
      const org = required(values, 'org');
      const added = accepted(await (await wired(ctx)).ecs.addEc(org, required(values, 'env'), CLI_ACTOR), 'EC not registered');
      output(
        ctx,
        values.json === true,
        { organisationId: org, created: added.created },
        added.created ? `EC ${org} registered.` : `EC ${org} was registered already.`,
      );
      return 0;
    },
  },
  'ec link': {
    summary:
      'link an EC to a station for an aux digit and code (--org ID --env E --station CODE --aux-digit 0|1|2|3 [--segregation-code NN | --application-code NN] [--version 1|2] [--partner-station [--as EMAIL]]); a production link to another organisation\u2019s station is a four-eyes proposal',
    run: ecLink,
  },
  'ec unlink': {
    summary: 'remove an EC link (ID): its notices are no longer routed',
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, {}, { positionals: 1 });
      const id = positionals[0];
      if (!id) throw new UsageError('the link id (ecl_…) is required');
      changed(await (await wired(ctx)).ecs.removeLink(id, CLI_ACTOR), `no EC link ${id}`);
      output(ctx, values.json === true, { id, removed: true }, `Link ${id} removed.`);
      return 0;
    },
  },
  'ec list': {
    summary: 'list ECs and their station links ([--org ID] [--env test|prod])',
    run: async (args, ctx) => {
      const { values } = parse(args, { org: { type: 'string' }, env: { type: 'string' } });
      const { ecs, links } = await (await wired(ctx)).ecs.listEcs(filterOf(values));
      const linksOf = (org: string, env: string) => links.filter((l) => l.organisation_id === org && l.environment === env);
      const code = (l: (typeof links)[number]): string =>
        l.segregation_code ? `segregation ${l.segregation_code}` : l.application_code ? `application ${l.application_code}` : '';
      output(
        ctx,
        values.json === true,
        ecs.map((e) => ({
          organisationId: e.organisation_id,
          organisation: e.organisation_name,
          fiscalCode: e.fiscal_code,
          environment: e.environment,
          enabled: e.enabled,
          disabledBy: e.disabled_by,
          links: linksOf(e.organisation_id, e.environment).map((l) => ({
            id: l.id,
            stationId: l.station_id,
            stationCode: l.station_code,
            stationOrganisation: l.station_organisation_name,
            auxDigit: l.aux_digit,
            segregationCode: l.segregation_code,
            applicationCode: l.application_code,
            primitiveVersion: l.primitive_version,
            enabled: l.enabled,
            disabledBy: l.disabled_by,
          })),
        })),
        ecs
          .map((e) =>
            [
              `${e.organisation_id}  ${e.environment.padEnd(4)} ${e.fiscal_code}  ${flag(e.enabled, e.disabled_by)}  ${e.organisation_name}`,
              ...linksOf(e.organisation_id, e.environment).map(
                (l) =>
                  `    ${l.id}  aux ${l.aux_digit} ${code(l).padEnd(15)} -> ${l.station_code} (v${l.primitive_version}, ${l.station_organisation_name})  ${flag(l.enabled, l.disabled_by)}`,
              ),
            ].join('\n'),
          )
          .join('\n') || 'No ECs.',
      );
      return 0;
    },
  },
  'ec enable': { summary: 'enable an EC (--org ID --env E) or one of its links (--link ID)', run: switchCommand('ec', true) },
  'ec disable': { summary: 'disable an EC (--org ID --env E) or one of its links (--link ID): the node refuses its notices', run: switchCommand('ec', false) },
};

function switchCommand(kind: 'psp' | 'ec', enabled: boolean): Command {
  return async (args, ctx) => {
    const names = kind === 'psp' ? ['env', 'psp-id', 'broker-id', 'channel-id'] : ['env', 'org', 'link'];
    const options: Options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
    const { values } = parse(args, options);
    const registry = await wired(ctx);
    const said = kind === 'psp' ? await pspSwitch(values, registry, enabled) : await ecSwitch(values, registry, enabled);
    output(ctx, values.json === true, { enabled, ...Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'json')) }, said);
    return 0;
  };
}

async function ecLink(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(args, {
    org: { type: 'string' },
    env: { type: 'string' },
    station: { type: 'string' },
    'aux-digit': { type: 'string' },
    'segregation-code': { type: 'string' },
    'application-code': { type: 'string' },
    version: { type: 'string' },
    'partner-station': { type: 'boolean' },
    as: { type: 'string' },
  });
  const input = {
    organisationId: required(values, 'org'),
    env: required(values, 'env'),
    stationCode: required(values, 'station'),
    auxDigit: required(values, 'aux-digit'),
    segregationCode: text(values, 'segregation-code'),
    applicationCode: text(values, 'application-code'),
    version: text(values, 'version'),
  };
  const partner = values['partner-station'] === true;
  // Four-eyes: a production EC routed to another organisation's station is proposed by the --as administrator.
  const params = partner ? partnerLinkParams(input) : undefined;
  if (params && !(await cliGate(ctx, values, { kind: 'pagopa.partner_link', params }))) return 0;
  const linked = accepted(
    await (await wired(ctx)).ecs.link(input, CLI_ACTOR, { otherOrganisationStation: partner }),
    'station not linked (--partner-station links a station of another organisation, e.g. the EC\u2019s technology partner)',
  );
  output(
    ctx,
    values.json === true,
    { ...linked, organisationId: input.organisationId, environment: input.env, station: input.stationCode, auxDigit: Number(input.auxDigit) },
    `Linked ${input.organisationId} (${input.env}) aux ${input.auxDigit}${input.segregationCode ? ` segregation ${input.segregationCode}` : ''}${input.applicationCode ? ` application ${input.applicationCode}` : ''} -> ${input.stationCode} (${linked.linkId}).`,
  );
  return 0;
}
