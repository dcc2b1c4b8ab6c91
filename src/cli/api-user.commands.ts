import { output, parse, required, UsageError } from './args.ts';
import type { Command } from './core.commands.ts';
import { readSecret } from './prompt.ts';

// `npx varco merchant api-user`: creates a merchant's API user (DirectLink's USERID + PSWD) or gives
// an existing one a new password, for one PSPID and environment. The password comes from a file (or
// a prompt without echo) and is never printed; the audit row names the USERID only.

const CLI_ACTOR = { type: 'cli', id: null, ip: null } as const;

const PROBLEMS: Record<string, string> = {
  invalid_userid: '--userid must be 2 to 50 letters, digits, ".", "_", "@" or "-"',
  not_eligible: 'the merchant holds no PSPID in that environment (its E-commerce subscription there is not approved)',
  too_short: 'the password must have at least 12 characters',
  common: 'the password is too common; choose another one',
  mismatch: 'the passwords differ',
};

const apiUser: Command = async (args, ctx) => {
  const { values } = parse(args, {
    org: { type: 'string' },
    pspid: { type: 'string' },
    env: { type: 'string' },
    userid: { type: 'string' },
    'password-file': { type: 'string' },
  });
  const organisationId = required(values, 'org');
  const pspid = required(values, 'pspid');
  const env = required(values, 'env');
  if (env !== 'test' && env !== 'prod') throw new UsageError('--env must be test or prod');
  const userid = required(values, 'userid');
  const file = values['password-file'];
  const { services } = await ctx.container();
  const merchant = await services.merchants.forOrganisation(organisationId);
  const held = merchant?.pspids[env];
  if (!merchant || held === undefined || held.toUpperCase() !== pspid.toUpperCase())
    throw new UsageError(`organisation ${organisationId} holds no PSPID ${pspid} in ${env}`);
  const password = await readSecret(ctx, 'Password: ', { path: typeof file === 'string' ? file : undefined, option: 'password-file' });
  const outcome = await services.apiUsers.save({ merchantId: merchant.id, env, userid, password }, CLI_ACTOR);
  if (!outcome.ok) throw new UsageError(PROBLEMS[outcome.reason] ?? outcome.reason);
  const { user, created } = outcome.value;
  output(
    ctx,
    values.json === true,
    { ok: true, created, merchantId: merchant.id, pspid: held, env, id: user.id, userid: user.userid },
    created ? `API user ${user.userid} created for ${held} (${env}).` : `API user ${user.userid} of ${held} (${env}): password changed.`,
  );
  return 0;
};

export const apiUserCommands: Record<string, { summary: string; run: Command }> = {
  'merchant api-user': {
    summary: 'create a DirectLink API user, or change its password (--org ID --pspid P --env test|prod --userid U [--password-file F])',
    run: apiUser,
  },
};
