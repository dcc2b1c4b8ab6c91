import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import { partnerLinkParams, type ProposalsService } from '../../modules/proposals/index.ts';
import { adminProposer, proposedRedirect } from './proposals.ts';
import type { PagopaRegistry, RegistryActor } from '../../modules/pagopa-registry/index.ts';
import { adminNav } from '../../views/nav.ts';
import { adminRegistryPage, type FormState } from '../../views/pagopa-registry/pages.ts';
import { registryStrings } from '../../views/pagopa-registry/strings.ts';
import { registerRegistryRoutes } from '../shared/pagopa-registry-routes.ts';
import { ecViews, linkViews, pspViews } from '../shared/pagopa-registry-views.ts';
import { requireAdmin } from '../shared/session.ts';
import { sendPage } from '../shared/page.ts';
import { query, Text, typed } from '../shared/schemas.ts';

// The back office's pagoPA registry page: every organisation's brokers, PSPs, channels, ECs and
// links, one environment at a time. Administrators register for any eligible organisation and may
// link a station of another organisation to an EC (its technology partner), by ticking a box that
// the audit row records.

export interface AdminRegistryRoutesOptions {
  pagopaRegistry: PagopaRegistry;
  organisations: OrganisationsService;
  proposals: ProposalsService;
}

function admin(request: FastifyRequest): { actor: RegistryActor; csrf: string } {
  const session = requireAdmin(request);
  return { actor: { type: 'admin', id: session.userId, ip: request.ip }, csrf: session.csrfToken };
}

export function registerAdminRegistryRoutes(app: FastifyInstance, options: AdminRegistryRoutesOptions): void {
  const registry = options.pagopaRegistry;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    state: { env: 'test' | 'prod'; form?: FormState; notice?: string; status?: 400 | 409 },
  ): Promise<FastifyReply> {
    const { csrf } = admin(request);
    const { env } = state;
    const [psps, ecs, organisations] = await Promise.all([registry.psps.listPsps({ env }), registry.ecs.listEcs({ env }), options.organisations.list()]);
    const pick = (types: string[]) => organisations.filter((o) => types.includes(o.type)).map((o) => ({ id: o.id, name: o.name }));
    const body = adminRegistryPage(request.locale, {
      csrf,
      env,
      form: state.form,
      notice: state.notice,
      brokers: psps.brokers.map((b) => ({
        idBrokerPsp: b.id_broker_psp,
        enabled: b.enabled,
        disabledBy: b.disabled_by,
        organisationName: b.organisation_name,
      })),
      psps: pspViews(psps),
      ecs: ecViews(ecs),
      links: linkViews(ecs),
      pspOrganisations: pick(['psp', 'technology_partner']),
      ecOrganisations: pick(['creditor_institution']),
    });
    return sendPage(request, reply, {
      surface: 'admin',
      title: registryStrings(request.locale).title,
      body,
      nav: adminNav(request.locale),
      status: state.status ?? 200,
    });
  }

  const routes = typed(app);
  routes.get('/pagopa', { schema: { querystring: query({ env: Text, saved: Text }) } }, (request, reply) => {
    const { env, saved } = request.query;
    return render(request, reply, { env: env === 'prod' ? 'prod' : 'test', ...(saved === '1' ? { notice: registryStrings(request.locale).saved } : {}) });
  });

  registerRegistryRoutes(app, {
    base: '/admin/pagopa',
    registry,
    who: (request) => ({ actor: admin(request).actor, organisationId: undefined }),
    render: (request, reply, state) => render(request, reply, state),
    // Four-eyes: a production EC routed to another organisation's station waits for a second administrator.
    gatePartnerLink: async (request, reply, input) => {
      const params = partnerLinkParams(input);
      if (!params) return undefined;
      const gated = await options.proposals.gate({ kind: 'pagopa.partner_link', params }, adminProposer(request));
      return gated.proposed ? proposedRedirect(reply, gated) : undefined;
    },
  });
}
