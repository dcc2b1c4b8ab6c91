import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import type { PagopaSimulator } from '../../modules/pagopa-simulator/index.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { adminNav } from '../../views/nav.ts';
import { simulatorListPage, simulatorPage } from '../../views/pagopa-simulator/pages.ts';
import { simulatorStrings } from '../../views/pagopa-simulator/strings.ts';
import { requireAdmin } from '../shared/session.ts';
import { simulatorPageView } from '../shared/simulator-views.ts';
import { sendPage } from '../shared/page.ts';
import { IdSegment, NoQuery, typed } from '../shared/schemas.ts';
import { Type } from 'typebox';

// Back office: the institutions' simulated stations, read-only (administrators see what an EC
// configured when a PSP asks why its test payment got an answer; only the EC changes it).

export interface AdminSimulatorRoutesOptions {
  pagopaSimulator: PagopaSimulator;
  organisations: OrganisationsService;
}

const BASE = '/admin/pagopa/simulators';

/** The organisation page's section: the simulated station's state, for institutions. */
export function organisationSimulator(simulator: PagopaSimulator) {
  return async (organisationId: string, request: FastifyRequest): Promise<SafeHtml[]> => {
    const view = await simulator.settings.view(organisationId);
    if (!view || view.eligibility === 'not_creditor_institution') return [];
    const t = simulatorStrings(request.locale);
    return [
      html`<h2>${t.adminTitle}</h2><p>${t.status}: <strong>${view.enabled ? t.on : t.off}</strong> · ${t.count}: ${view.scenarios.length} · <a href="${BASE}/${organisationId}">${t.scenarios}</a></p>`,
    ];
  };
}

export function registerAdminSimulatorRoutes(app: FastifyInstance, options: AdminSimulatorRoutesOptions): void {
  const { settings } = options.pagopaSimulator;

  const routes = typed(app);
  routes.get('/pagopa/simulators', { schema: { querystring: NoQuery } }, async (request, reply) => {
    requireAdmin(request);
    const rows = await Promise.all(
      (await settings.list()).map(async (r) => {
        const organisation = await options.organisations.find(r.organisationId);
        return { ...r, name: organisation?.name ?? r.organisationId, fiscalCode: organisation?.tax_code ?? '' };
      }),
    );
    return sendPage(request, reply, {
      surface: 'admin',
      title: simulatorStrings(request.locale).adminTitle,
      body: simulatorListPage(request.locale, rows, BASE),
      nav: adminNav(request.locale),
    });
  });

  routes.get(
    '/pagopa/simulators/:organisationId',
    { schema: { params: Type.Object({ organisationId: IdSegment }), querystring: NoQuery } },
    async (request, reply) => {
      requireAdmin(request);
      const id = request.params.organisationId;
      const view = isId(id, 'org') ? await settings.view(id) : undefined;
      if (!view) throw new VarcoError('not_found', 'No such organisation.');
      const title = `${simulatorStrings(request.locale).adminTitle} · ${view.ec?.name ?? id}`;
      return sendPage(request, reply, {
        surface: 'admin',
        title,
        body: simulatorPage(request.locale, simulatorPageView(request.locale, view, BASE)),
        nav: adminNav(request.locale),
      });
    },
  );
}
