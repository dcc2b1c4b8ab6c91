import { findEnabledAdmin } from '../modules/identity/index.ts';
import type { Decider, DecideProblem, ProposalView, ProposedAction, Proposer } from '../modules/proposals/index.ts';
import { output, parse, required, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import type { Command } from './core.commands.ts';

// `npx varco proposals list|approve|reject`: four-eyes from the CLI (docs/adr/0034-four-eyes.md). The
// CLI acts as a named administrator (`--as EMAIL`): an unknown or disabled one is refused, and so is
// the proposer deciding on their own proposal. The production commands that propose (subscription
// approve, station approve, trust add, pki rotate-client) use `cliGate` with the same `--as`.

const PROBLEM_TEXT: Record<DecideProblem, string> = {
  not_found: 'no such proposal',
  own_proposal: 'you proposed this change: another administrator must approve or reject it',
  expired: 'the proposal has expired: propose the change again',
  already_decided: 'another administrator decided on this proposal already',
  comment_required: 'a rejection needs --comment',
};

/** The administrator named by `--as`, as the CLI's decider or proposer. */
export async function cliAdmin(ctx: CliContext, values: Record<string, string | boolean | undefined>): Promise<Decider> {
  const email = values.as;
  if (typeof email !== 'string' || email.trim() === '')
    throw new UsageError('say which administrator acts: --as EMAIL (four-eyes needs a named administrator)');
  const admin = await findEnabledAdmin((await ctx.container()).deps.db, email);
  if (!admin) throw new UsageError(`no enabled administrator ${email}`);
  return { type: 'cli', id: admin.id, email: admin.email, ip: null };
}

/**
 * For the CLI's production actions: under four-eyes the action becomes a proposal by the `--as`
 * administrator and the command prints it; `true` means the caller runs its action now as before.
 */
export async function cliGate(ctx: CliContext, values: Record<string, string | boolean | undefined>, action: ProposedAction): Promise<boolean> {
  const proposals = (await ctx.container()).services.proposals;
  const proposer = async (): Promise<Proposer> => cliAdmin(ctx, values);
  const gated = await proposals.gate(action, proposer);
  if (!gated.proposed) return true;
  const p = gated.proposal;
  output(
    ctx,
    values.json === true,
    { proposal: describe(p), created: gated.created },
    `${gated.created ? 'Proposed' : 'Already proposed'}: ${p.id} (${p.kind}, ${p.environment}), expires ${p.expiresAt.toISOString()}.\n` +
      `Four-eyes: another administrator approves it with npx varco proposals approve ${p.id} --as EMAIL (or in the back office).`,
  );
  return false;
}

const describe = (p: ProposalView) => ({
  id: p.id,
  kind: p.kind,
  environment: p.environment,
  subject: `${p.subjectType}:${p.subjectId}`,
  state: p.state,
  proposer: p.proposer.email,
  decider: p.decider?.email ?? null,
  createdAt: p.createdAt.toISOString(),
  expiresAt: p.expiresAt.toISOString(),
  outcome: p.outcome,
});

function decide(kind: 'approve' | 'reject'): Command {
  return async (args, ctx) => {
    const { values, positionals } = parse(args, { as: { type: 'string' }, ...(kind === 'reject' ? { comment: { type: 'string' } } : {}) }, { positionals: 1 });
    const id = positionals[0];
    if (!id) throw new UsageError('the proposal id is required');
    const comment = kind === 'reject' ? required(values, 'comment') : '';
    const me = await cliAdmin(ctx, values);
    const proposals = (await ctx.container()).services.proposals;
    const result = kind === 'approve' ? await proposals.approve(id, me) : await proposals.reject(id, me, comment);
    if (!result.ok) throw new UsageError(PROBLEM_TEXT[result.reason]);
    const p = result.value;
    output(ctx, values.json === true, describe(p), `Proposal ${p.id} (${p.kind}, ${p.environment}): ${p.state}${p.outcome ? ` — ${p.outcome}` : ''}.`);
    return p.state === 'failed' ? 1 : 0;
  };
}

export const proposalCommands: Record<string, { summary: string; run: Command }> = {
  'proposals list': {
    summary: 'list four-eyes proposals, pending first ([--json])',
    run: async (args, ctx) => {
      const { values } = parse(args, {});
      const rows = await (await ctx.container()).services.proposals.list();
      const lines = rows.map(
        (p) => `${p.id}  ${p.state.padEnd(8)}  ${p.kind} ${p.environment} ${p.subjectId}  by ${p.proposer.email}  expires ${p.expiresAt.toISOString()}`,
      );
      output(ctx, values.json === true, rows.map(describe), lines.length ? lines.join('\n') : 'No proposals.');
      return 0;
    },
  },
  'proposals approve': { summary: 'approve a proposal and execute its action, as another administrator (ID --as EMAIL)', run: decide('approve') },
  'proposals reject': { summary: 'reject a proposal, as another administrator (ID --as EMAIL --comment C)', run: decide('reject') },
};
