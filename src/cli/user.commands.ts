import { parse, output, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import type { Command } from './core.commands.ts';

// `npx varco user disable EMAIL` / `user enable EMAIL`: a referent who left, an administrator who must
// no longer act. Disabled, the account signs in nowhere and its sessions end at once; enabled again, it
// signs in with its password as before. Audited as `cli` (docs/security.md section 43).

const PROBLEM_TEXT = {
  not_found: 'no referent or administrator with this e-mail',
  ambiguous: 'an administrator and a referent share this e-mail: say which with --kind admin or --kind referent',
  own_account: 'an administrator cannot disable their own account',
  last_admin: 'this is the last enabled administrator: create or enable another one first (npx varco admin create)',
} as const;

async function setDisabled(args: string[], ctx: CliContext, disabled: boolean): Promise<number> {
  const { values, positionals } = parse(args, { kind: { type: 'string' } }, { positionals: 1 });
  const kind = values.kind;
  if (kind !== undefined && kind !== 'admin' && kind !== 'referent') throw new UsageError('--kind must be admin or referent');
  const email = positionals[0];
  if (email === undefined || email.trim() === '') throw new UsageError(`give the account's e-mail: npx varco user ${disabled ? 'disable' : 'enable'} EMAIL`);
  const { services } = await ctx.container();
  const result = await services.identity.setAccountDisabled({
    user: { email },
    disabled,
    actor: { type: 'cli', id: null, ip: null },
    ...(kind === undefined ? {} : { only: kind }),
  });
  if (!result.ok) throw new UsageError(`${email}: ${PROBLEM_TEXT[result.reason]}`);
  const r = result.value;
  const state = disabled ? 'disabled' : 'enabled';
  const text = !r.changed
    ? `${r.email} (${r.kind}) was already ${state}.`
    : disabled
      ? `${r.email} (${r.kind}) is disabled: it cannot sign in; ${r.sessionsEnded} session(s) ended.`
      : `${r.email} (${r.kind}) is enabled: it signs in with its password again.`;
  output(ctx, values.json === true, { userId: r.userId, email: r.email, kind: r.kind, state, changed: r.changed, sessionsEnded: r.sessionsEnded }, text);
  return 0;
}

export const userCommands: Record<string, { summary: string; run: Command }> = {
  'user disable': {
    summary:
      'disable a referent\u2019s or an administrator\u2019s account (EMAIL [--kind admin|referent]): no sign-in, its sessions end at once, no e-mails for its organisation; an administrator\u2019s pending proposals are withdrawn',
    run: (args, ctx) => setDisabled(args, ctx, true),
  },
  'user enable': {
    summary: 'enable a disabled account again (EMAIL [--kind admin|referent]): it signs in with its password as before',
    run: (args, ctx) => setDisabled(args, ctx, false),
  },
};
