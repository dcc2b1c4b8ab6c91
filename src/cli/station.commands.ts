import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ENDPOINT_PROBLEM_TEXT,
  STATION_PROBLEM_TEXT,
  TRUST_PROBLEM_TEXT,
  type CheckResult,
  type Environment,
  type FieldProblem,
  type StationActor,
  type StationProblem,
  type StationServices,
  type TrustScope,
} from '../modules/stations/index.ts';
import { output, parse, required, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import { cliGate } from './proposal.commands.ts';
import type { Command } from './core.commands.ts';

// `npx varco trust …` and `npx varco station …`: the operator acts as an administrator (audited as
// `cli`). `station verify` runs the same verification as the portal's Verify button and exits
// non-zero when the station is not connection verified, so scripts can gate on it.

const CLI_ACTOR: StationActor = { type: 'cli', id: null, ip: null };

async function wired(ctx: CliContext): Promise<StationServices> {
  return (await ctx.container()).services;
}

export function envOption(values: Record<string, string | boolean | undefined>): Environment {
  const env = required(values, 'env');
  if (env !== 'test' && env !== 'prod') throw new UsageError('--env must be test or prod');
  return env;
}

/** Exactly one of --org ID and --all-organisations: trusting a CA for everyone is never a default. */
function scopeOption(values: Record<string, string | boolean | undefined>): TrustScope {
  const org = typeof values.org === 'string' && values.org !== '' ? values.org : undefined;
  const all = values['all-organisations'] === true;
  if ((org === undefined) === !all) throw new UsageError('say whom the CA is trusted for: --org ID (one organisation) or --all-organisations');
  return org === undefined ? { allOrganisations: true } : { organisationId: org };
}

const problemText = (problem: StationProblem): string =>
  problem in STATION_PROBLEM_TEXT
    ? STATION_PROBLEM_TEXT[problem as keyof typeof STATION_PROBLEM_TEXT]
    : ENDPOINT_PROBLEM_TEXT[problem as keyof typeof ENDPOINT_PROBLEM_TEXT];
const describeProblems = (problems: FieldProblem[]): string => problems.map((p) => `${p.field}: ${problemText(p.problem)}`).join('\n');

async function stationByCode(services: StationServices, env: Environment, code: string | undefined) {
  if (!code) throw new UsageError('the station code is required');
  const station = await services.stations.byCode(env, code);
  if (!station) throw new UsageError(`no station ${code} in ${env}`);
  return station;
}

const ICON: Record<string, string> = { passed: 'PASS', warning: 'WARN', failed: 'FAIL', skipped: 'SKIP' };

/** Each step's verdict for primary and secondary, then the inbound direction. */
export function describeCheck(code: string, state: string, result: CheckResult): string {
  const lines = [`Station ${code} (${result.environment}): ${state === 'verified' ? 'connection verified' : state}`];
  for (const e of result.outbound.endpoints) {
    lines.push('', `${e.role} ${e.url} -> ${e.ip}:${e.port}: ${e.ok ? 'PASS' : 'FAIL'}`);
    for (const s of e.steps) {
      lines.push(`  ${ICON[s.status] ?? s.status} ${s.step.padEnd(28)} ${String(s.durationMs).padStart(5)} ms  ${s.message}`);
      if (s.fix && s.status !== 'passed') lines.push(`       fix: ${s.fix}`);
    }
  }
  lines.push(
    '',
    `inbound GET /api/v1/ping: ${result.inbound.ok ? `PASS (last ${result.inbound.lastPingAt ?? ''})` : 'FAIL (no successful ping from an active subscription in this environment)'}`,
  );
  return lines.join('\n');
}

export const stationCommands: Record<string, { summary: string; run: Command }> = {
  'trust add': {
    summary:
      'authorise a CA for the server certificates of one organisation, or explicitly of all (--env test|prod --file CA.pem --org ID | --all-organisations)',
    run: async (args, ctx) => {
      const { values } = parse(args, {
        env: { type: 'string' },
        file: { type: 'string' },
        org: { type: 'string' },
        'all-organisations': { type: 'boolean' },
        as: { type: 'string' },
      });
      const env = envOption(values);
      const scope = scopeOption(values);
      const pem = await readFile(resolve(required(values, 'file')), 'utf8');
      // Four-eyes: a production CA is proposed by the --as administrator, refused up front for what `add` would refuse.
      const checked = await (await wired(ctx)).trust.checkAdd(env, pem, scope);
      if (!checked.ok) throw new UsageError(TRUST_PROBLEM_TEXT[checked.reason]);
      if (!(await cliGate(ctx, values, { kind: 'trust.add', params: { environment: env, pem, scope } }))) return 0;
      const result = await (await wired(ctx)).trust.add(env, pem, scope, CLI_ACTOR);
      if (!result.ok) throw new UsageError(TRUST_PROBLEM_TEXT[result.reason]);
      const whom = 'organisationId' in scope ? `organisation ${scope.organisationId}` : 'every organisation';
      output(
        ctx,
        values.json === true,
        { ...result.value, organisationId: 'organisationId' in scope ? scope.organisationId : null },
        `Trusted in ${env} for ${whom}: ${result.value.subject} (${result.value.id}, SHA-256 ${result.value.fingerprint})`,
      );
      return 0;
    },
  },
  'trust list': {
    summary: 'list the CAs authorised for an environment, with the organisation each is trusted for (--env test|prod)',
    run: async (args, ctx) => {
      const { values } = parse(args, { env: { type: 'string' } });
      const env = envOption(values);
      const rows = await (await wired(ctx)).trust.list(env);
      output(
        ctx,
        values.json === true,
        rows.map((r) => ({
          id: r.id,
          environment: r.environment,
          organisationId: r.organisation_id,
          subject: r.subject,
          fingerprint: r.fingerprint_sha256,
          notAfter: r.not_after.toISOString(),
        })),
        rows
          .map((r) => `${r.id}  ${r.not_after.toISOString().slice(0, 10)}  ${(r.organisation_id ?? 'all organisations').padEnd(30)}  ${r.subject}`)
          .join('\n') || `No CAs authorised for ${env} in addition to the Mozilla store.`,
      );
      return 0;
    },
  },
  'trust remove': {
    summary: 'remove an authorised CA (ID)',
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, {}, { positionals: 1 });
      const id = positionals[0];
      if (!id) throw new UsageError('the trusted CA id is required');
      if (!(await (await wired(ctx)).trust.remove(id, CLI_ACTOR))) throw new UsageError(`no trusted CA ${id}`);
      output(ctx, values.json === true, { id, removed: true }, `Removed ${id}.`);
      return 0;
    },
  },
  'station add': {
    summary:
      'register a station (--org ID --env E --code C --url U --ip I --port P [--secondary-url U --secondary-ip I --secondary-port P] [--allow-shared-host])',
    run: async (args, ctx) => {
      const { values } = parse(args, {
        org: { type: 'string' },
        env: { type: 'string' },
        code: { type: 'string' },
        url: { type: 'string' },
        ip: { type: 'string' },
        port: { type: 'string' },
        'secondary-url': { type: 'string' },
        'secondary-ip': { type: 'string' },
        'secondary-port': { type: 'string' },
        'allow-shared-host': { type: 'boolean' },
      });
      const env = envOption(values);
      const text = (name: string): string => (typeof values[name] === 'string' ? values[name] : '');
      const result = await (
        await wired(ctx)
      ).stations.register(
        required(values, 'org'),
        env,
        {
          code: required(values, 'code'),
          primary: { url: required(values, 'url'), ip: required(values, 'ip'), port: required(values, 'port') },
          secondary: { url: text('secondary-url'), ip: text('secondary-ip'), port: text('secondary-port') },
        },
        CLI_ACTOR,
        { allowSharedHost: values['allow-shared-host'] === true },
      );
      if (!result.ok) throw new UsageError(`station not registered:\n${describeProblems(result.problems)}`);
      output(
        ctx,
        values.json === true,
        result.value,
        `Station ${text('code')} registered (${result.value.id}); it waits for review: npx varco station approve ${text('code')} --env ${env}`,
      );
      return 0;
    },
  },
  'station list': {
    summary: 'list stations ([--org ID] [--env test|prod])',
    run: async (args, ctx) => {
      const { values } = parse(args, { org: { type: 'string' }, env: { type: 'string' } });
      const env = values.env === undefined ? undefined : envOption(values);
      const rows = await (
        await wired(ctx)
      ).stations.list({ ...(typeof values.org === 'string' ? { organisationId: values.org } : {}), ...(env ? { environment: env } : {}) });
      const review = (r: (typeof rows)[number]): string => r.pending_state ?? (r.approved_version_id ? 'approved' : '');
      output(
        ctx,
        values.json === true,
        rows.map((r) => ({
          id: r.id,
          code: r.code,
          environment: r.environment,
          organisationId: r.organisation_id,
          organisation: r.organisation_name,
          review: review(r),
          connection: r.connection_state,
          primaryUrl: r.approved_primary_url,
          lastCheckAt: r.last_check_at?.toISOString() ?? null,
        })),
        rows
          .map((r) => `${r.id}  ${r.environment.padEnd(4)} ${r.code.padEnd(20)} ${review(r).padEnd(9)} ${r.connection_state.padEnd(10)} ${r.organisation_name}`)
          .join('\n') || 'No stations.',
      );
      return 0;
    },
  },
  'station share-host': {
    summary: "allow (or with --revoke, stop allowing) a station to share its hosts with other organisations' stations (CODE --env E [--revoke])",
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, { env: { type: 'string' }, revoke: { type: 'boolean' } }, { positionals: 1 });
      const services = await wired(ctx);
      const station = await stationByCode(services, envOption(values), positionals[0]);
      const allowed = values.revoke !== true;
      await services.stations.allowSharedHost(station.id, allowed, CLI_ACTOR);
      output(
        ctx,
        values.json === true,
        { id: station.id, code: station.code, sharedHostAllowed: allowed },
        allowed
          ? `Station ${station.code} may share its hosts with other organisations' stations.`
          : `Station ${station.code} no longer shares its hosts with other organisations.`,
      );
      return 0;
    },
  },
  'station approve': reviewCommand('approve'),
  'station request-changes': reviewCommand('request_changes'),
  'station verify': {
    summary: 'verify a station now and print each step for primary and secondary (CODE --env E); exit 1 when not connection verified',
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, { env: { type: 'string' } }, { positionals: 1 });
      const services = await wired(ctx);
      const station = await stationByCode(services, envOption(values), positionals[0]);
      const outcome = await services.verification.verify(station.id, 'cli');
      if (!outcome.ok) throw new UsageError(`station ${station.code} has no approved version to verify`);
      output(
        ctx,
        values.json === true,
        {
          station: station.code,
          id: station.id,
          checkId: outcome.value.checkId,
          state: outcome.value.state,
          verified: outcome.value.state === 'verified',
          ...outcome.value.result,
        },
        describeCheck(station.code, outcome.value.state, outcome.value.result),
      );
      return outcome.value.state === 'verified' ? 0 : 1;
    },
  },
};

function reviewCommand(action: 'approve' | 'request_changes'): { summary: string; run: Command } {
  return {
    summary:
      action === 'approve'
        ? 'approve the version of a station waiting for review (CODE --env E [--note N])'
        : 'send the version of a station waiting for review back with a note (CODE --env E --note N)',
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, { env: { type: 'string' }, note: { type: 'string' }, as: { type: 'string' } }, { positionals: 1 });
      const services = await wired(ctx);
      const station = await stationByCode(services, envOption(values), positionals[0]);
      const note = action === 'request_changes' ? required(values, 'note') : typeof values.note === 'string' ? values.note : '';
      // Four-eyes: approving a production station is proposed by the --as administrator.
      if (action === 'approve' && !(await cliGate(ctx, values, { kind: 'station.approve', params: { stationId: station.id, note } }))) return 0;
      const result = await services.stations.reviewStation(station.id, action, note, CLI_ACTOR);
      if (!result.ok) throw new UsageError(problemText(result.reason));
      output(
        ctx,
        values.json === true,
        { id: station.id, code: station.code, decision: action },
        action === 'approve'
          ? `Station ${station.code} approved; its organisation was e-mailed.`
          : `Changes requested for ${station.code}; its organisation was e-mailed.`,
      );
      return 0;
    },
  };
}
