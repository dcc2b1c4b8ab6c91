import { isId } from '../kernel/ids.ts';
import { outputLink, parse, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import type { Command } from './core.commands.ts';

// `npx varco password-reset link`: without SMTP, the link of a password reset someone asked for
// (back office or portal, "Forgot your password?"), as "Create link" on the back office Mail page
// gives it. Made now, shown once, stored only as a hash, audited as `cli` (docs/security.md section 29).

const STATE_TEXT = {
  used: 'the password was reset with it already, no link is needed',
  expired: 'expired or replaced by a newer request; the person asks again with "Forgot your password?"',
  unknown: 'no such password reset request',
} as const;

/** The request an argument names: itself (pwr_…), its e-mail (msg_…, as on the Mail page) or, by --email, the address's newest open one. */
async function requestId(ctx: CliContext, id: string | undefined, email: string | undefined): Promise<string> {
  const { services } = await ctx.container();
  if (email !== undefined) {
    const open = await services.passwordResets.openRequestOf(email);
    if (!open) throw new UsageError(`no open password reset request for ${email}; the person asks with "Forgot your password?" first`);
    return open;
  }
  if (!id) throw new UsageError('give the password reset e-mail (msg_…, as on the back office Mail page) or request (pwr_…), or --email E');
  if (isId(id, 'pwr')) return id;
  const mail = await services.delivery.getEmail(id);
  const resetId = mail?.email?.template === 'password_reset' ? mail.email.params.resetId : undefined;
  if (resetId === undefined) throw new UsageError(`${id}: no such password reset e-mail`);
  return resetId;
}

export const passwordResetCommands: Record<string, { summary: string; run: Command }> = {
  'password-reset link': {
    summary:
      'print a new link for an open password reset request (its e-mail MSG_ID, its request PWR_ID, or --email E: the newest); it replaces the previous link and is shown only now',
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, { email: { type: 'string' } }, { positionals: 1 });
      const id = await requestId(ctx, positionals[0], typeof values.email === 'string' ? values.email : undefined);
      const minted = await (await ctx.container()).services.passwordResets.mintLink(id, { type: 'cli', id: null, ip: null });
      if (!minted.ok) throw new UsageError(`password reset ${id}: ${STATE_TEXT[minted.reason]}`);
      outputLink(ctx, values.json === true, { id, ...minted.value });
      return 0;
    },
  },
};
