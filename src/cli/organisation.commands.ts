import { productsByCode } from '../modules/subscriptions/index.ts';
import { ORGANISATION_PROBLEM_TEXT, INVITE_PROBLEM_TEXT } from '../modules/organisations/index.ts';
import { output, outputLink, parse, required, UsageError } from './args.ts';
import type { Command } from './core.commands.ts';

// `npx varco org create …` and `npx varco invite …`, for operators without a browser.

export const organisationCommands: Record<string, { summary: string; run: Command }> = {
  'org create': {
    summary: 'create an organisation (--name N --tax-code C [--foreign] --type creditor_institution|psp|merchant|technology_partner --email E)',
    run: async (args, ctx) => {
      const { values } = parse(args, {
        name: { type: 'string' },
        'tax-code': { type: 'string' },
        foreign: { type: 'boolean' },
        type: { type: 'string' },
        email: { type: 'string' },
      });
      const service = (await ctx.container()).services.organisations;
      const result = await service.create(
        {
          name: required(values, 'name'),
          taxCode: required(values, 'tax-code'),
          taxCodeKind: values.foreign === true ? 'other' : 'it',
          type: required(values, 'type'),
          contactEmail: required(values, 'email'),
        },
        { type: 'cli', id: null, ip: null },
      );
      if (!result.ok) throw new UsageError(ORGANISATION_PROBLEM_TEXT[result.reason]);
      output(ctx, values.json === true, { id: result.value.id }, `Organisation created: ${result.value.id}`);
      return 0;
    },
  },
  'org list': {
    summary: 'list organisations',
    run: async (args, ctx) => {
      const { values } = parse(args, {});
      const rows = await (await ctx.container()).services.organisations.list();
      output(
        ctx,
        values.json === true,
        rows.map((o) => ({ id: o.id, name: o.name, taxCode: o.tax_code, type: o.type, contactEmail: o.contact_email })),
        rows.map((o) => `${o.id}  ${o.tax_code.padEnd(16)} ${o.type.padEnd(21)} ${o.name}`).join('\n') || 'No organisations.',
      );
      return 0;
    },
  },
  invite: {
    summary: 'invite a referent (--org ID --first-name F --last-name L --email E --products node,ecommerce [--locale it|en])',
    run: async (args, ctx) => {
      const { values } = parse(args, {
        org: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        email: { type: 'string' },
        products: { type: 'string' },
        locale: { type: 'string' },
      });
      const { db } = await ctx.database();
      const codes = required(values, 'products')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      const products = await productsByCode(db, codes);
      const missing = codes.filter((c) => !products.some((p) => p.code === c));
      if (missing.length) throw new UsageError(`unknown product code(s): ${missing.join(', ')}`);
      const locale = values.locale === 'it' ? 'it' : 'en';
      const service = (await ctx.container()).services.invitations;
      const result = await service.invite(
        {
          organisationId: required(values, 'org'),
          firstName: required(values, 'first-name'),
          lastName: required(values, 'last-name'),
          email: required(values, 'email'),
          locale,
          productIds: products.map((p) => p.id),
        },
        { type: 'cli', id: null, ip: null },
      );
      if (!result.ok) throw new UsageError(INVITE_PROBLEM_TEXT[result.reason]);
      output(
        ctx,
        values.json === true,
        { id: result.value.id },
        `Invitation ${result.value.id} queued for ${String(values.email)}; its link is made when the e-mail is sent. Without SMTP: \`npx varco invite link ${result.value.id}\` (or "Create link" on the back office Mail page).`,
      );
      return 0;
    },
  },
  'invite link': {
    summary: 'print a new link for a pending invitation (ID); it replaces the previous link and is shown only now',
    run: async (args, ctx) => {
      const { values, positionals } = parse(args, {}, { positionals: 1 });
      const id = positionals[0];
      if (!id) throw new UsageError('give the invitation id (inv_…)');
      const service = (await ctx.container()).services.invitations;
      const minted = await service.mintLink(id, { type: 'cli', id: null, ip: null });
      if (!minted.ok) throw new UsageError(`invitation ${id}: ${INVITATION_STATE_TEXT[minted.reason]}`);
      outputLink(ctx, values.json === true, { id, ...minted.value });
      return 0;
    },
  },
};

const INVITATION_STATE_TEXT = {
  used: 'accepted already, no link is needed',
  superseded: 'replaced by a newer invitation',
  expired: 'expired; send a new link from the back office',
  unknown: 'no such invitation',
} as const;
