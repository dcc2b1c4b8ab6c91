import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { BODY_LIMITS } from '../plugins/limits.ts';
import type { IdentityService, PasswordResets } from '../../modules/identity/index.ts';
import { html } from '../../views/html.ts';
import { adminNav } from '../../views/nav.ts';
import { translate } from '../../views/i18n.ts';
import { registerSessionLoading, anonymousCsrfToken } from '../shared/session.ts';
import { sendAnonymousPage, sendPage } from '../shared/page.ts';
import { registerSignInRoutes } from '../shared/signin.ts';
import { registerPasswordRoutes } from '../shared/password.ts';
import { form, NoQuery, query, requireRouteSchemas, Text, typed } from '../shared/schemas.ts';
import { registerOrganisationRoutes, type OrganisationRoutesOptions } from './organisations.ts';
import { registerMailRoutes, type MailRoutesOptions } from './mail.ts';
import { organisationSubscriptions, registerAdminSubscriptionRoutes, type AdminSubscriptionRoutesOptions } from './subscriptions.ts';
import { organisationStations, registerAdminStationRoutes, type AdminStationRoutesOptions } from './stations.ts';
import { registerAdminExchangeRoutes, type AdminExchangeRoutesOptions } from './pagopa-exchanges.ts';
import { registerAdminRegistryRoutes, type AdminRegistryRoutesOptions } from './pagopa-registry.ts';
import { organisationSimulator, registerAdminSimulatorRoutes, type AdminSimulatorRoutesOptions } from './pagopa-simulator.ts';
import { registerAdminReceiptRoutes, type AdminReceiptRoutesOptions } from './pagopa-receipts.ts';
import { registerAdminPaymentRoutes, type AdminPaymentRoutesOptions } from './pagopa-payments.ts';
import { registerAdminProposalRoutes, type AdminProposalRoutesOptions } from './proposals.ts';
import { registerAdminDeliveryRoutes, type AdminDeliveryRoutesOptions } from './deliveries.ts';
import { registerAdminErrorLogRoutes, type AdminErrorLogRoutesOptions } from './error-log.ts';
import { registerAdminAuditRoutes, type AdminAuditRoutesOptions } from './audit.ts';
import type { BackOfficeQueues } from '../../kernel/home.ts';
import { queuesSection } from '../../views/admin/queues.ts';
import { proposalStrings } from '../../views/proposals/strings.ts';
import { refusal } from '../../views/shared/message.ts';

export interface AdminContextOptions
  extends
    OrganisationRoutesOptions,
    MailRoutesOptions,
    AdminSubscriptionRoutesOptions,
    AdminStationRoutesOptions,
    AdminExchangeRoutesOptions,
    AdminRegistryRoutesOptions,
    AdminSimulatorRoutesOptions,
    AdminReceiptRoutesOptions,
    AdminPaymentRoutesOptions,
    AdminProposalRoutesOptions,
    AdminDeliveryRoutesOptions,
    AdminErrorLogRoutesOptions,
    AdminAuditRoutesOptions {
  identity: IdentityService;
  passwordResets: PasswordResets;
  queues: BackOfficeQueues;
  sessionTtlMinutes: number;
}

/** The back office: administrators only; every page but sign-in and setup needs an admin session. */
export async function adminContext(app: FastifyInstance, options: AdminContextOptions): Promise<void> {
  const { identity } = options;
  await app.register(formbody, { bodyLimit: BODY_LIMITS.default });
  requireRouteSchemas(app, 'admin');
  registerSessionLoading(app, { surface: 'admin', identity, ttlMinutes: options.sessionTtlMinutes, anonymousForms: ['/setup'], publicPaths: ['/setup'] });
  registerSignInRoutes(app, { surface: 'admin', identity, ttlMinutes: options.sessionTtlMinutes, passwordResets: options.passwordResets });
  registerPasswordRoutes(app, { surface: 'admin', identity, ttlMinutes: options.sessionTtlMinutes, nav: adminNav });
  const subscriptionSection = organisationSubscriptions(options.subscriptions);
  const stationSection = organisationStations(options.stations);
  const simulatorSection = organisationSimulator(options.pagopaSimulator);
  registerOrganisationRoutes(app, {
    ...options,
    organisationSections: async (id, request) => [
      ...(await subscriptionSection(id, request)),
      ...(await stationSection(id, request)),
      ...(await simulatorSection(id, request)),
    ],
  });
  registerAdminSubscriptionRoutes(app, options);
  registerAdminStationRoutes(app, options);
  registerAdminRegistryRoutes(app, options);
  registerAdminSimulatorRoutes(app, options);
  registerMailRoutes(app, options);
  registerAdminExchangeRoutes(app, options);
  registerAdminReceiptRoutes(app, options);
  registerAdminPaymentRoutes(app, options);
  registerAdminProposalRoutes(app, options);
  registerAdminDeliveryRoutes(app, options);
  registerAdminErrorLogRoutes(app, options);
  registerAdminAuditRoutes(app, options);

  const routes = typed(app);
  routes.get('/', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const session = request.session;
    if (!session) return reply.redirect('/admin/sign-in', 303);
    const locale = request.locale;
    // Four-eyes off is a choice for single-administrator installations; it stays visible (issue 16).
    const p = proposalStrings(locale);
    const [pending, counts] = await Promise.all([options.proposals.countPending(), options.queues.counts()]);
    const queues = Object.entries(counts).map(([name, q]) => ({ name: name as keyof typeof counts, ...q }));
    const body = html`<p>${translate(locale, 'admin.welcome', { email: session.email })}</p>
${options.proposals.enabled() ? '' : html`<p class="warning" role="alert" id="four-eyes-off">${p.fourEyesOff}</p>`}
${pending > 0 ? html`<p><a href="/admin/proposals">${p.pendingCount(pending)}</a></p>` : ''}
${queuesSection(locale, queues, new Date())}`;
    return sendPage(request, reply, { surface: 'admin', title: translate(locale, 'admin.dashboard'), body, nav: adminNav(locale) });
  });

  const setupPage = (request: FastifyRequest, reply: FastifyReply, token: string, status: number, error?: string, email = '') => {
    const locale = request.locale;
    const body = html`<p>${translate(locale, 'setup.intro')}</p>
${error ? refusal(error) : ''}
<form method="post" action="/admin/setup">
<input type="hidden" name="_csrf" value="${anonymousCsrfToken(request, reply)}"><input type="hidden" name="token" value="${token}">
<label for="email">${translate(locale, 'signin.email')}</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">${translate(locale, 'signin.password')}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<label for="passwordConfirm">${translate(locale, 'setup.passwordConfirm')}</label><input id="passwordConfirm" name="passwordConfirm" type="password" autocomplete="new-password" required>
<button type="submit">${translate(locale, 'setup.submit')}</button></form>`;
    return sendAnonymousPage(request, reply, { surface: 'admin', status, title: translate(locale, 'setup.title'), body });
  };
  const invalidSetup = (request: FastifyRequest, reply: FastifyReply) => {
    // The command goes where the sentence says {command}, as code.
    const [before, after] = translate(request.locale, 'setup.invalid').split('{command}');
    return sendAnonymousPage(request, reply, {
      surface: 'admin',
      status: 410,
      title: translate(request.locale, 'setup.title'),
      body: html`<p class="error">${before}<code>npx varco admin create</code>${after}</p>`,
    });
  };

  routes.get('/setup', { schema: { querystring: query({ token: Text }) } }, async (request, reply) => {
    const token = request.query.token ?? '';
    if (!token || !(await identity.isSetupTokenUsable(token))) return invalidSetup(request, reply);
    return setupPage(request, reply, token, 200);
  });

  routes.post(
    '/setup',
    { schema: { querystring: NoQuery, body: form({ token: Text, email: Text, password: Text, passwordConfirm: Text }) } },
    async (request, reply) => {
      const body = request.body;
      const token = body.token ?? '';
      const email = body.email ?? '';
      const password = body.password ?? '';
      if (password !== (body.passwordConfirm ?? '')) return setupPage(request, reply, token, 400, translate(request.locale, 'password.mismatch'), email);
      const result = await identity.completeSetup(token, { email, password, ip: request.ip });
      // The same notice as a confirmed invitation: the account exists, sign in with it.
      if (result.ok) return reply.redirect('/admin/sign-in?welcome=1', 303);
      switch (result.reason) {
        case 'link_invalid':
          return invalidSetup(request, reply);
        case 'too_short':
          return setupPage(request, reply, token, 400, translate(request.locale, 'password.tooShort'), email);
        case 'common':
          return setupPage(request, reply, token, 400, translate(request.locale, 'password.common'), email);
        default:
          return setupPage(
            request,
            reply,
            token,
            400,
            result.reason === 'invalid_email' ? 'E-mail address is not valid.' : 'An administrator with this e-mail exists.',
            email,
          );
      }
    },
  );
}
