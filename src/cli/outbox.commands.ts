import { OUTBOX_CHANNELS, RESENDABLE_STATES, type ResendFilter } from '../modules/delivery/index.ts';
import { isId } from '../kernel/ids.ts';
import { output, parse, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import type { Command } from './core.commands.ts';
import { createProgress } from './progress.ts';

// `npx varco outbox resend`: after a receiver's outage, one more try for every message given up
// (exhausted, or dead with --state dead), narrowed by channel, organisation and creation time.
// Audited as `cli`, one row per batch naming the messages; --dry-run only counts.

const OPTIONS = {
  state: { type: 'string' },
  channel: { type: 'string' },
  org: { type: 'string' },
  since: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

function filterFrom(values: Record<string, string | boolean | undefined>): ResendFilter {
  const state = RESENDABLE_STATES.find((s) => s === (values.state ?? 'exhausted'));
  if (!state) throw new UsageError(`--state must be one of ${RESENDABLE_STATES.join(', ')}`);
  const channel = values.channel === undefined ? undefined : OUTBOX_CHANNELS.find((c) => c === values.channel);
  if (values.channel !== undefined && !channel) throw new UsageError(`--channel must be one of ${OUTBOX_CHANNELS.join(', ')}`);
  const org = typeof values.org === 'string' ? values.org : undefined;
  if (org !== undefined && !isId(org, 'org')) throw new UsageError('--org must be an organisation id (org_…)');
  const since = typeof values.since === 'string' ? sinceOf(values.since) : undefined;
  return { state, channel, organisationId: org, since };
}

/** `--since`: an ISO 8601 date or time; one without a zone is UTC, as a date alone is (JavaScript reads it in the machine's zone). */
export function sinceOf(text: string): Date {
  const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  const since = new Date(zoned);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(since.getTime()))
    throw new UsageError('--since must be an ISO 8601 date or time, e.g. 2026-12-04T08:00Z');
  return since;
}

export const outboxCommands: Record<string, { summary: string; run: Command }> = {
  'outbox resend': {
    summary: 'give given-up deliveries one more try now ([--state exhausted|dead] [--channel email|http|soap|reset] [--org ID] [--since ISO] [--dry-run])',
    run: async (args, ctx: CliContext) => {
      const { values } = parse(args, OPTIONS);
      const filter = filterFrom(values);
      const deliveries = (await ctx.container()).services.givenUpDeliveries;
      if (values['dry-run'] === true) {
        const count = await deliveries.count(filter);
        output(ctx, values.json === true, { wouldResend: count }, `${count} message(s) would be resent.`);
        return 0;
      }
      const progress = createProgress(ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean }, 'messages');
      const total = await deliveries.resend(filter, { type: 'cli', id: null }, (n) => {
        progress.add('resend', n);
        progress.finish('resend');
      });
      progress.done('resend finished');
      output(ctx, values.json === true, { resent: total }, `${total} message(s) are due again; running workers deliver them now.`);
      return 0;
    },
  },
};
