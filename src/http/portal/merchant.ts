import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import {
  FEEDBACK_PARAMETERS,
  type MerchantActor,
  type MerchantView,
  type MerchantsService,
  type PassphraseInput,
  type SettingsInput,
  type SettingsView,
  type SettingsProblem,
} from '../../modules/merchants/index.ts';
import { portalNav } from '../../views/nav.ts';
import { copiedPage, createMerchantPage, settingsPage, type MerchantHeaderView, type SettingsValues } from '../../views/merchant/settings.ts';
import { fieldLabel, fill, problemText, strings } from '../../views/merchant/strings.ts';
import type { Locale } from '../../views/i18n.ts';
import type { PortalHostedPage } from './orders.ts';
import { copyPreviewPage, copyStrings } from '../../views/merchant/copy.ts';
import { EnvSegment, form, IdParams, IdSegment, listOf, NoQuery, query, Text, TextList, textOf, typed } from '../shared/schemas.ts';
import { Type, type Static } from 'typebox';
import { surfacePages } from '../shared/page.ts';
import { referentOf } from './referent.ts';

// The merchant account and its *Technical information* pages (test | prod). Every merchant is
// looked up scoped to the referent's own organisation: another organisation's merchant id answers
// 404, exactly like an unknown one. Passphrases travel only from the form to the service.

export interface PortalMerchantRoutesOptions {
  merchants: MerchantsService;
  /** Its feedback sender judges the server-to-server URLs' hosts as it will at delivery (without DNS here). */
  hostedPage: PortalHostedPage;
}

/** The *Technical information* form of one environment. */
const SettingsForm = form({
  hashingMethod: Text,
  hashAlgorithm: Text,
  charset: Text,
  referrers: Text,
  acceptUrl: Text,
  declineUrl: Text,
  exceptionUrl: Text,
  cancelUrl: Text,
  feedbackOnRedirect: Text,
  s2sTiming: Text,
  s2sUrlAccepted: Text,
  s2sUrlDeclined: Text,
  s2sMethod: Text,
  feedbackParams: TextList,
  defaultOperation: Text,
  paymentRetries: Text,
  enabledCurrencies: Text,
  shaInClear: Text,
  shaInNew: Text,
  shaInConfirm: Text,
  shaOutClear: Text,
  shaOutNew: Text,
  shaOutConfirm: Text,
  acceptLegacyHashing: Text,
});
type Body = Static<typeof SettingsForm>;
const field = textOf<Body>;
const list = listOf<Body>;
const PspidForm = form({ pspid: Text });
const EnvParams = Type.Object({ id: IdSegment, env: EnvSegment });

/** The signed-in referent: who acts, and the one organisation every lookup is limited to. */
export function merchantReferent(request: FastifyRequest): { actor: MerchantActor; organisationId: string; csrf: string } {
  return referentOf(request);
}

export const sendPage = surfacePages('portal', portalNav);

export const header = (m: MerchantView): MerchantHeaderView => ({
  id: m.id,
  pspid: m.pspid,
  pspids: m.pspids,
  name: m.name,
  activeEnvironments: m.activeEnvironments,
});

/** The merchant named in the URL, if it is the referent's organisation's; 404 otherwise. */
export async function scopedMerchant(id: string, merchants: MerchantsService, organisationId: string): Promise<MerchantView> {
  const found = isId(id, 'mer') ? await merchants.get(id, organisationId) : undefined;
  if (!found) throw new VarcoError('not_found', 'No such merchant.');
  return found;
}

const envOf = (env: string): 'test' | 'prod' => {
  if (env !== 'test' && env !== 'prod') throw new VarcoError('not_found', 'No such environment.');
  return env;
};

function valuesOf(s: SettingsView): SettingsValues {
  return {
    hashingMethod: s.hashingMethod,
    hashAlgorithm: s.hashAlgorithm,
    charset: s.charset,
    referrers: s.referrers,
    acceptUrl: s.acceptUrl ?? '',
    declineUrl: s.declineUrl ?? '',
    exceptionUrl: s.exceptionUrl ?? '',
    cancelUrl: s.cancelUrl ?? '',
    feedbackOnRedirect: s.feedbackOnRedirect,
    s2sTiming: s.s2sTiming,
    s2sUrlAccepted: s.s2sUrlAccepted ?? '',
    s2sUrlDeclined: s.s2sUrlDeclined ?? '',
    s2sMethod: s.s2sMethod,
    feedbackParams: s.feedbackParams,
    defaultOperation: s.defaultOperation,
    paymentRetries: String(s.paymentRetries),
    enabledCurrencies: s.enabledCurrencies.join(', '),
  };
}

/** What was typed, to show back after a rejection (passphrase fields stay empty). */
function valuesFromBody(body: Body): SettingsValues {
  return {
    hashingMethod: field(body, 'hashingMethod'),
    hashAlgorithm: field(body, 'hashAlgorithm'),
    charset: field(body, 'charset'),
    referrers: field(body, 'referrers'),
    acceptUrl: field(body, 'acceptUrl'),
    declineUrl: field(body, 'declineUrl'),
    exceptionUrl: field(body, 'exceptionUrl'),
    cancelUrl: field(body, 'cancelUrl'),
    feedbackOnRedirect: field(body, 'feedbackOnRedirect') === 'on',
    s2sTiming: field(body, 's2sTiming'),
    s2sUrlAccepted: field(body, 's2sUrlAccepted'),
    s2sUrlDeclined: field(body, 's2sUrlDeclined'),
    s2sMethod: field(body, 's2sMethod'),
    feedbackParams: list(body, 'feedbackParams'),
    defaultOperation: field(body, 'defaultOperation'),
    paymentRetries: field(body, 'paymentRetries'),
    enabledCurrencies: field(body, 'enabledCurrencies'),
  };
}

function passphraseInput(body: Body, name: 'shaIn' | 'shaOut'): PassphraseInput {
  if (field(body, `${name}Clear`) === 'on') return { action: 'clear' };
  const value = field(body, `${name}New`);
  const confirm = field(body, `${name}Confirm`);
  return value === '' && confirm === '' ? { action: 'keep' } : { action: 'set', value, confirm };
}

/** The whole form of one environment: every field is sent, an unchecked box is `false`. */
export function settingsInputFromForm(body: Body): SettingsInput {
  const v = valuesFromBody(body);
  return {
    ...v,
    feedbackParams: v.feedbackParams,
    enabledCurrencies: v.enabledCurrencies.split(/[\s,;]+/),
    shaIn: passphraseInput(body, 'shaIn'),
    shaOut: passphraseInput(body, 'shaOut'),
    acceptLegacyHashing: field(body, 'acceptLegacyHashing') === 'on',
  };
}

/** The host name of a URL as typed; '' when it is none. */
function hostOf(text: string): string {
  try {
    return new URL(text.trim()).hostname;
  } catch {
    return '';
  }
}

export function registerPortalMerchantRoutes(app: FastifyInstance, options: PortalMerchantRoutesOptions): void {
  const { merchants } = options;
  const { feedback } = options.hostedPage;
  /** Server-to-server URLs whose host usually resolves to a private address: valid, but likely refused at delivery. */
  const feedbackWarnings = (locale: Locale, values: SettingsValues): string[] =>
    (['s2sUrlAccepted', 's2sUrlDeclined'] as const).flatMap((name) => {
      const host = hostOf(values[name]);
      return host !== '' && feedback.judgeHost(host)?.kind === 'private_name'
        ? [fill(strings(locale).privateHost, { field: fieldLabel(locale, name), host })]
        : [];
    });

  const createForm = async (request: FastifyRequest, reply: FastifyReply, form: { pspid?: string; problem?: string } = {}, status = 200) => {
    const who = merchantReferent(request);
    const eligible = (await merchants.activeEnvironments(who.organisationId)).length > 0;
    return sendPage(request, reply, strings(request.locale).technical, createMerchantPage(request.locale, { eligible, csrf: who.csrf, ...form }), status);
  };

  const settingsView = async (
    request: FastifyRequest,
    reply: FastifyReply,
    m: MerchantView,
    env: 'test' | 'prod',
    extra: { values?: SettingsValues; problems?: Array<{ field: string; text: string }>; notices?: string[]; claim?: { pspid: string; problem: string } } = {},
    status = 200,
  ) => {
    const who = merchantReferent(request);
    const s = await merchants.settings(m.id, env);
    const t = strings(request.locale);
    const values = extra.values ?? valuesOf(s);
    return sendPage(
      request,
      reply,
      `${t.technical} · ${env === 'test' ? t.test : t.prod}`,
      settingsPage(request.locale, {
        merchant: header(m),
        env,
        values,
        warnings: feedbackWarnings(request.locale, values),
        shaInSet: s.shaInSet,
        shaOutSet: s.shaOutSet,
        feedbackCatalogue: FEEDBACK_PARAMETERS,
        problems: extra.problems ?? [],
        notices: extra.notices ?? [],
        updatedAt: s.updatedAt,
        csrf: who.csrf,
        legacy: { on: s.hashingMethod === 'main-parameters', acceptedAt: s.legacyHashingAcceptedAt },
        ...(extra.claim ? { claim: extra.claim } : {}),
      }),
      status,
    );
  };

  // Technical information: the organisation's merchant (test first), or the form that opens one.
  const routes = typed(app);
  routes.get('/merchant', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await merchants.forOrganisation(who.organisationId);
    return m ? reply.redirect(`/portal/merchants/${m.id}/settings/test`, 303) : createForm(request, reply);
  });

  routes.post('/merchant', { schema: { querystring: NoQuery, body: PspidForm } }, async (request, reply) => {
    const who = merchantReferent(request);
    const pspid = (request.body.pspid ?? '').trim().slice(0, 100);
    const result = await merchants.create({ organisationId: who.organisationId, pspid }, who.actor);
    if (!result.ok)
      return createForm(
        request,
        reply,
        { pspid, problem: problemText(request.locale, { field: 'pspid', code: result.reason }) },
        result.reason === 'pspid_taken' || result.reason === 'already_exists' ? 409 : 400,
      );
    return reply.redirect(`/portal/merchants/${result.value.id}/settings/test`, 303);
  });

  routes.get('/merchant/errors', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const m = await merchants.forOrganisation(merchantReferent(request).organisationId);
    return reply.redirect(m ? `/portal/merchants/${m.id}/errors` : '/portal/merchant', 303);
  });

  routes.get('/merchants/:id/settings/:env', { schema: { params: EnvParams, querystring: query({ saved: Text }) } }, async (request, reply) => {
    const who = merchantReferent(request);
    // An approval that raced with the opening of the account left its name unclaimed: claim it now.
    const found = await scopedMerchant(request.params.id, merchants, who.organisationId);
    await merchants.ensureClaims(found.id);
    const m = (await merchants.get(found.id, who.organisationId)) ?? found;
    const t = strings(request.locale);
    return settingsView(request, reply, m, envOf(request.params.env), { notices: request.query.saved === '1' ? [t.saved] : [] });
  });

  routes.post('/merchants/:id/settings/:env', { schema: { params: EnvParams, querystring: NoQuery, body: SettingsForm } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    const env = envOf(request.params.env);
    const body = request.body;
    const outcome = await merchants.updateSettings(m.id, env, settingsInputFromForm(body), who.actor, {
      organisationId: who.organisationId,
      // Refused on save: a host every delivery to which the sender would refuse (localhost without a loopback range allowed).
      feedbackHostRefused: feedback.refusesHost,
    });
    const t = strings(request.locale);
    if (!outcome.ok) {
      return settingsView(
        request,
        reply,
        m,
        env,
        { values: valuesFromBody(body), problems: outcome.problems.map((p) => ({ field: p.field, text: problemText(request.locale, p) })) },
        400,
      );
    }
    const notices = [outcome.changed.length ? t.saved : t.nothingChanged, ...(outcome.replacedInTest.length ? [t.replaced] : [])];
    return settingsView(request, reply, m, env, { notices });
  });

  // The PSPID of an environment approved after the account was opened, when its own name was taken there.
  routes.post('/merchants/:id/pspid/:env', { schema: { params: EnvParams, querystring: NoQuery, body: PspidForm } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    const env = envOf(request.params.env);
    const pspid = (request.body.pspid ?? '').trim().slice(0, 100);
    const result = await merchants.claimPspid(m.id, env, pspid, who.actor, { organisationId: who.organisationId });
    if (result.ok) return reply.redirect(`/portal/merchants/${m.id}/settings/${env}?saved=1`, 303);
    const problem = problemText(request.locale, { field: 'pspid', code: result.reason });
    return settingsView(request, reply, m, env, { claim: { pspid, problem } }, result.reason === 'invalid_pspid' ? 400 : 409);
  });

  // Copy test to production asks first (issue 14): the button leads to the differences; only the
  // confirmed form copies, and production's SHA-IN passphrase changes only when that is ticked.
  const copyRefused = (request: FastifyRequest, reply: FastifyReply, m: Parameters<typeof settingsView>[2], problems: SettingsProblem[]) =>
    settingsView(
      request,
      reply,
      m,
      'test',
      { notices: [strings(request.locale).copyFailed], problems: problems.map((p) => ({ field: p.field, text: problemText(request.locale, p) })) },
      409,
    );
  const copyPreview = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(id, merchants, who.organisationId);
    const preview = await merchants.copyPreview(m.id, { organisationId: who.organisationId });
    if (!preview.ok) return copyRefused(request, reply, m, preview.problems);
    const body = copyPreviewPage(request.locale, { merchantId: m.id, csrf: who.csrf, changes: preview.changes, prodShaInSet: preview.prodShaInSet });
    return sendPage(request, reply, copyStrings(request.locale).title, body);
  };
  routes.get('/merchants/:id/copy-to-prod', { schema: { params: IdParams, querystring: NoQuery } }, (request, reply) =>
    copyPreview(request, reply, request.params.id),
  );

  routes.post(
    '/merchants/:id/copy-to-prod',
    { schema: { params: IdParams, querystring: NoQuery, body: form({ confirm: Text, replaceShaIn: Text }) } },
    async (request, reply) => {
      if (request.body.confirm !== '1') return copyPreview(request, reply, request.params.id);
      const who = merchantReferent(request);
      const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
      const outcome = await merchants.copyTestToProd(
        m.id,
        who.actor,
        { organisationId: who.organisationId },
        { replaceShaIn: request.body.replaceShaIn === '1' },
      );
      const t = strings(request.locale);
      if (!outcome.ok) return copyRefused(request, reply, m, outcome.problems);
      // The passphrase is in this answer only: never cached, never stored.
      reply.header('cache-control', 'no-store');
      return sendPage(request, reply, t.copy, copiedPage(request.locale, { merchant: header(m), shaIn: outcome.shaIn, prodShaOutSet: outcome.prodShaOutSet }));
    },
  );
}
