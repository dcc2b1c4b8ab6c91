import { SUBSCRIPTION_STATES, type SubscriptionAction, type SubscriptionRow } from '../modules/subscriptions/index.ts';
import type { SubscriptionState } from '../db/schema.ts';
import { output, parse, required, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import { cliGate } from './proposal.commands.ts';
import type { Command } from './core.commands.ts';

// `npx varco subscription …`: the operator acts as an administrator (audited as `cli`). Changes made
// here NOTIFY running Varco instances, so their key caches follow at once.

const CLI_ACTOR = { type: 'cli', id: null, ip: null } as const;

async function services(ctx: CliContext) {
  const { deps, services } = await ctx.container();
  return { db: deps.db, subscriptions: services.subscriptions, keys: services.apiKeys };
}

const summary = (s: SubscriptionRow) => ({
  id: s.id,
  organisationId: s.organisation_id,
  organisation: s.organisation_name,
  product: s.product_code,
  environment: s.environment,
  name: s.name,
  state: s.state,
  createdAt: s.created_at.toISOString(),
  inboundVerifiedAt: s.inbound_verified_at?.toISOString() ?? null,
});

function decision(action: Extract<SubscriptionAction, 'approve' | 'reject' | 'suspend' | 'reactivate'>, extra = ''): { summary: string; run: Command } {
  return {
    summary: `${action} a subscription (ID${extra})`,
    run: async (args, ctx) => {
      const { values, positionals } = parse(
        args,
        action === 'reject'
          ? { comment: { type: 'string' } }
          : action === 'suspend'
            ? { comment: { type: 'string' }, as: { type: 'string' } }
            : { as: { type: 'string' } },
        { positionals: 1 },
      );
      const id = positionals[0];
      if (!id) throw new UsageError('the subscription id is required');
      // A suspension's reason is optional here (an operator's emergency stop); the back office asks for one.
      const comment =
        action === 'reject' ? required(values, 'comment') : action === 'suspend' && typeof values.comment === 'string' ? values.comment : undefined;
      const { subscriptions } = await services(ctx);
      try {
        // Four-eyes: approving a production subscription, or reactivating a suspended one, is proposed by the --as administrator.
        if (action === 'approve' || action === 'reactivate') {
          const kind = action === 'approve' ? 'subscription.approve' : 'subscription.reactivate';
          if (!(await cliGate(ctx, values, { kind, params: { subscriptionId: id, comment: '' } }))) return 0;
        }
        const result = await subscriptions.change(id, action, CLI_ACTOR, comment === undefined ? {} : { comment });
        if (!result.ok) throw new UsageError('a rejection needs --comment');
        output(ctx, values.json === true, { id, state: result.value.state }, `Subscription ${id} is now ${result.value.state}.`);
        return 0;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'not_found' || code === 'invalid_state_transition') throw new UsageError((error as Error).message);
        throw error;
      }
    },
  };
}

export const subscriptionCommands: Record<string, { summary: string; run: Command }> = {
  'subscription list': {
    summary: 'list subscriptions ([--org ID] [--state submitted|active|rejected|suspended|cancelled|expired])',
    run: async (args, ctx) => {
      const { values } = parse(args, { org: { type: 'string' }, state: { type: 'string' } });
      const state = values.state === undefined ? undefined : SUBSCRIPTION_STATES.find((s) => s === values.state);
      if (values.state !== undefined && !state) throw new UsageError(`--state must be one of ${SUBSCRIPTION_STATES.join(', ')}`);
      const filter: { organisationId?: string; state?: SubscriptionState } = {};
      if (typeof values.org === 'string') filter.organisationId = values.org;
      if (state) filter.state = state;
      const rows = await (await services(ctx)).subscriptions.list(filter);
      output(
        ctx,
        values.json === true,
        rows.map(summary),
        rows
          .map((s) => `${s.id}  ${s.state.padEnd(9)} ${s.environment.padEnd(4)} ${s.product_code.padEnd(10)} ${s.organisation_name} — ${s.name}`)
          .join('\n') || 'No subscriptions.',
      );
      return 0;
    },
  },
  'subscription approve': decision('approve'),
  'subscription reject': decision('reject', ' --comment C'),
  'subscription suspend': decision('suspend', ' [--comment REASON]'),
  'subscription reactivate': decision('reactivate'),
  'subscription create': {
    summary: 'create an active subscription and print its key pair once (--org ID --product CODE --env test|prod [--name N] --approve)',
    run: async (args, ctx) => {
      const { values } = parse(args, {
        org: { type: 'string' },
        product: { type: 'string' },
        env: { type: 'string' },
        name: { type: 'string' },
        approve: { type: 'boolean' },
      });
      // Creating without approval would leave a subscription whose keys nobody can ever see from here.
      if (values.approve !== true) throw new UsageError('--approve is required: the operator creates the subscription already approved and gets its keys');
      const { keys } = await services(ctx);
      const result = await keys.createActive(
        {
          organisationId: required(values, 'org'),
          productCode: required(values, 'product'),
          environment: required(values, 'env'),
          ...(typeof values.name === 'string' ? { name: values.name } : {}),
        },
        CLI_ACTOR,
      );
      if (!result.ok) {
        const text = {
          organisation_not_found: 'no such organisation',
          product_not_found: 'no product with this code',
          invalid_environment: '--env must be test or prod',
          name_required: '--name must have 1–100 characters',
          // Refused by the service: one operator at a shell must not get live production keys alone.
          four_eyes:
            'four-eyes is on (VARCO_FOUR_EYES): a production subscription is not created already approved. The referent subscribes in the portal; then `npx varco subscription approve ID --as EMAIL` proposes it and a second administrator approves.',
        }[result.reason];
        throw new UsageError(text);
      }
      const { id, primary, secondary } = result.value;
      output(
        ctx,
        values.json === true,
        { id, state: 'active', primaryKey: primary, secondaryKey: secondary },
        [
          `Subscription ${id} is active.`,
          `Primary key:   ${primary}`,
          `Secondary key: ${secondary}`,
          'These keys are shown only now; Varco keeps only their hashes.',
        ].join('\n'),
      );
      return 0;
    },
  },
};
