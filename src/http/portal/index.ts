import type { FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { BODY_LIMITS } from '../plugins/limits.ts';
import type { IdentityService, PasswordResets } from '../../modules/identity/index.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import { portalNav } from '../../views/nav.ts';
import { html } from '../../views/html.ts';
import { translate } from '../../views/i18n.ts';
import { registerSessionLoading } from '../shared/session.ts';
import { sendPage } from '../shared/page.ts';
import { registerSignInRoutes } from '../shared/signin.ts';
import { registerPasswordRoutes } from '../shared/password.ts';
import { NoQuery, requireRouteSchemas, typed } from '../shared/schemas.ts';
import { registerInvitationRoutes, type InvitationRoutesOptions } from './invitation.ts';
import { registerPortalSubscriptionRoutes, type PortalSubscriptionRoutesOptions } from './subscriptions.ts';
import { registerPortalStationRoutes, type PortalStationRoutesOptions } from './stations.ts';
import { registerPortalMerchantRoutes, type PortalMerchantRoutesOptions } from './merchant.ts';
import { registerPortalMerchantToolRoutes, type PortalMerchantToolRoutesOptions } from './merchant-tools.ts';
import { registerPortalApiUserRoutes, type PortalApiUserRoutesOptions } from './merchant-api-users.ts';
import { registerPortalOrderRoutes, type PortalOrderRoutesOptions } from './orders.ts';
import { registerPortalExchangeRoutes, type PortalExchangeRoutesOptions } from './pagopa-exchanges.ts';
import { registerPortalRegistryRoutes, type PortalRegistryRoutesOptions } from './pagopa-registry.ts';
import { registerPortalSimulatorRoutes, type PortalSimulatorRoutesOptions } from './pagopa-simulator.ts';
import { registerPortalReceiptRoutes, type PortalReceiptRoutesOptions } from './pagopa-receipts.ts';
import { registerPortalPaymentRoutes, type PortalPaymentRoutesOptions } from './pagopa-payments.ts';
import type { OnboardingChecklist } from '../../kernel/home.ts';
import { checklistSection } from '../../views/portal/checklist.ts';
import { connectionsSection } from '../../views/portal/connections.ts';
import { connectionsOf } from './connections.ts';

export interface PortalContextOptions
  extends
    InvitationRoutesOptions,
    PortalSubscriptionRoutesOptions,
    PortalStationRoutesOptions,
    PortalMerchantRoutesOptions,
    PortalMerchantToolRoutesOptions,
    PortalApiUserRoutesOptions,
    PortalOrderRoutesOptions,
    PortalExchangeRoutesOptions,
    PortalRegistryRoutesOptions,
    PortalSimulatorRoutesOptions,
    PortalReceiptRoutesOptions,
    PortalPaymentRoutesOptions {
  identity: IdentityService;
  passwordResets: PasswordResets;
  organisations: OrganisationsService;
  sessionTtlMinutes: number;
  onboardingChecklist: OnboardingChecklist;
}

/** The developer portal: referents of connected organisations. */
export async function portalContext(app: FastifyInstance, options: PortalContextOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: BODY_LIMITS.default });
  requireRouteSchemas(app, 'portal');
  registerSessionLoading(app, {
    surface: 'portal',
    identity: options.identity,
    ttlMinutes: options.sessionTtlMinutes,
    anonymousForms: ['/invitation'],
    publicPaths: ['/invitation'],
  });
  // The organisation's type decides the menu (src/views/nav.ts, portalNavFor): asked of its owner, the organisations module.
  app.decorateRequest('organisationType', null);
  app.addHook('preHandler', async (request) => {
    const organisationId = request.session?.organisationId;
    if (organisationId) request.organisationType = (await options.organisations.find(organisationId))?.type ?? null;
  });
  registerSignInRoutes(app, { surface: 'portal', identity: options.identity, ttlMinutes: options.sessionTtlMinutes, passwordResets: options.passwordResets });
  registerPasswordRoutes(app, { surface: 'portal', identity: options.identity, ttlMinutes: options.sessionTtlMinutes, nav: portalNav });
  registerInvitationRoutes(app, options);
  registerPortalSubscriptionRoutes(app, options);
  registerPortalStationRoutes(app, options);
  registerPortalMerchantRoutes(app, options);
  registerPortalMerchantToolRoutes(app, options);
  registerPortalApiUserRoutes(app, options);
  registerPortalOrderRoutes(app, options);
  registerPortalExchangeRoutes(app, options);
  registerPortalRegistryRoutes(app, options);
  registerPortalSimulatorRoutes(app, options);
  registerPortalReceiptRoutes(app, options);
  registerPortalPaymentRoutes(app, options);
  typed(app).get('/', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const session = request.session;
    if (!session) return reply.redirect('/portal/sign-in', 303);
    const organisation = session.organisationId ? await options.organisations.find(session.organisationId) : undefined;
    const locale = request.locale;
    const name = `${session.firstName ?? ''} ${session.lastName ?? ''}`.trim();
    const welcome = organisation
      ? translate(locale, 'portal.welcomeReferent', { name, email: session.email, organisation: organisation.name })
      : translate(locale, 'portal.welcome', { name, email: session.email });
    const body = html`<p>${welcome}</p>
<p><a href="/portal/products">${translate(locale, 'portal.products')}</a> · <a href="/portal/subscriptions">${translate(locale, 'portal.subscriptions')}</a></p>
${organisation ? checklistSection(locale, await options.onboardingChecklist.of(organisation.id, organisation.type), organisation.type === 'merchant') : ''}
${organisation ? connectionsSection(locale, organisation.name, await connectionsOf(options, organisation.id)) : ''}`;
    return sendPage(request, reply, { surface: 'portal', title: translate(locale, 'portal.title'), body, nav: portalNav(locale) });
  });
}
