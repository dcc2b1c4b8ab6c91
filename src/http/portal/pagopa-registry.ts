import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { PagopaRegistry, RegistryActor } from '../../modules/pagopa-registry/index.ts';
import type { StationsService } from '../../modules/stations/index.ts';
import { portalNav } from '../../views/nav.ts';
import { portalRegistryPage, type FormState, type PortalEnvironmentView } from '../../views/pagopa-registry/pages.ts';
import { registryStrings } from '../../views/pagopa-registry/strings.ts';
import { registerRegistryRoutes } from '../shared/pagopa-registry-routes.ts';
import { ecViews, linkViews, pspViews } from '../shared/pagopa-registry-views.ts';
import { sendPage } from '../shared/page.ts';
import { query, Text, typed } from '../shared/schemas.ts';
import { referentWithOrganisation } from './referent.ts';

// The portal's pagoPA registry page: the referent's organisation only, both environments. PSPs and
// technology partners see their PSPs, brokers and channels; creditor institutions their EC record
// and station links (to their own approved stations). New records need the organisation's active
// `node` subscription in the environment; switches and password changes do not.

export interface PortalRegistryRoutesOptions {
  pagopaRegistry: PagopaRegistry;
  organisations: OrganisationsService;
  stations: StationsService;
}

function referent(request: FastifyRequest): { actor: RegistryActor; organisationId: string; csrf: string } {
  return referentWithOrganisation(request);
}

export function registerPortalRegistryRoutes(app: FastifyInstance, options: PortalRegistryRoutesOptions): void {
  const registry = options.pagopaRegistry;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    state: { form?: FormState; notice?: string; status?: 400 | 409 } = {},
  ): Promise<FastifyReply> {
    const { organisationId, csrf } = referent(request);
    const organisation = await options.organisations.find(organisationId);
    const psp = organisation?.type === 'psp' || organisation?.type === 'technology_partner';
    const ec = organisation?.type === 'creditor_institution';
    const [psps, ecs, stations] = await Promise.all([
      registry.psps.listPsps({ organisationId }),
      registry.ecs.listEcs({ organisationId }),
      options.stations.list({ organisationId }),
    ]);
    const environments: PortalEnvironmentView[] = await Promise.all(
      (['test', 'prod'] as const).map(async (env) => ({
        env,
        nodeActive: await registry.nodeActive(organisationId, env),
        psps: pspViews(psps).filter((p) => p.environment === env),
        ec: ecViews(ecs).find((e) => e.environment === env),
        links: linkViews(ecs).filter((l) => l.environment === env),
        stations: stations.filter((s) => s.environment === env && s.approved_version_id !== null).map((s) => s.code),
      })),
    );
    const body = portalRegistryPage(request.locale, { csrf, psp, ec, environments, form: state.form, notice: state.notice });
    return sendPage(request, reply, {
      surface: 'portal',
      title: registryStrings(request.locale).title,
      body,
      nav: portalNav(request.locale),
      status: state.status ?? 200,
    });
  }

  // `env` is the section the saved form came from (the page shows both; the fragment scrolls to it).
  typed(app).get('/pagopa', { schema: { querystring: query({ saved: Text, env: Text }) } }, (request, reply) =>
    render(request, reply, request.query.saved === '1' ? { notice: registryStrings(request.locale).saved } : {}),
  );

  registerRegistryRoutes(app, {
    base: '/portal/pagopa',
    registry,
    who: (request) => {
      const { actor, organisationId } = referent(request);
      return { actor, organisationId };
    },
    render: (request, reply, state) => render(request, reply, { form: state.form, status: state.status }),
  });
}
