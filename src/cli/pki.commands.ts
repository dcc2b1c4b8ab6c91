import type { StationActor } from '../modules/stations/index.ts';
import type { CertificateInfo } from '../pki/index.ts';
import { output, parse } from './args.ts';
import type { CliContext } from './context.ts';
import type { Command } from './core.commands.ts';
import { cliGate } from './proposal.commands.ts';
import { envOption } from './station.commands.ts';

// Rotation of Varco's platform client certificate: publish the next one first (the portal offers
// it, every organisation is e-mailed), switch it in only when the operator says so.

const CLI_ACTOR: StationActor = { type: 'cli', id: null, ip: null };

async function platform(ctx: CliContext) {
  return (await ctx.container()).services.platformCertificates;
}

const describe = (info: CertificateInfo) => ({
  subject: info.subject,
  fingerprintSha256: info.fingerprintSha256,
  notBefore: info.notBefore.toISOString(),
  notAfter: info.notAfter.toISOString(),
});

export const pkiCommands: Record<string, { summary: string; run: Command }> = {
  'pki rotate-client': {
    summary: 'create and publish the next platform client certificate of an environment, e-mailing every organisation (--env test|prod)',
    run: async (args, ctx) => {
      const { values } = parse(args, { env: { type: 'string' }, as: { type: 'string' } });
      const env = envOption(values);
      // Four-eyes: rotating the production client certificate is proposed by the --as administrator.
      if (!(await cliGate(ctx, values, { kind: 'pki.rotate_client', params: { environment: env } }))) return 0;
      const result = await (await platform(ctx)).rotate(env, CLI_ACTOR);
      const text = result.created
        ? `Next ${env} client certificate published (SHA-256 ${result.info.fingerprintSha256}, valid to ${result.info.notAfter.toISOString()}); ${result.notified} referents e-mailed.\nIt is not used yet: switch it in with npx varco pki activate-client --env ${env}`
        : `A next ${env} client certificate is already published (SHA-256 ${result.info.fingerprintSha256}); nothing changed.`;
      output(ctx, values.json === true, { environment: env, created: result.created, notified: result.notified, next: describe(result.info) }, text);
      return 0;
    },
  },
  'pki activate-client': {
    summary: 'switch the published next platform client certificate in for outbound calls (--env test|prod)',
    run: async (args, ctx) => {
      const { values } = parse(args, { env: { type: 'string' } });
      const env = envOption(values);
      const result = await (await platform(ctx)).activate(env, CLI_ACTOR);
      output(
        ctx,
        values.json === true,
        { environment: env, current: describe(result.info), previous: result.previous ? describe(result.previous) : null },
        `Outbound calls in ${env} now present ${result.info.subject} (SHA-256 ${result.info.fingerprintSha256}).`,
      );
      return 0;
    },
  },
};
