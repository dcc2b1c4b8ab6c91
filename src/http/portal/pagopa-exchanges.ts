import type { FastifyInstance } from 'fastify';
import type { ExchangeLog } from '../../modules/pagopa-exchanges/index.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import { portalNav } from '../../views/nav.ts';
import { registerExchangeRoutes } from '../shared/exchange-routes.ts';
import { requireReferent } from '../shared/session.ts';

// The portal's pagoPA exchange log: a referent reads the messages its organisation is party to (as
// PSP, as creditor institution, or as the owner of the station called, also for another notice of a
// cart and for another institution's copy of its notice's receipt), nothing else.

export interface PortalExchangeRoutesOptions {
  exchanges: ExchangeLog;
  organisations: OrganisationsService;
  exchangeRetentionDays: number;
}

export function registerPortalExchangeRoutes(app: FastifyInstance, options: PortalExchangeRoutesOptions): void {
  registerExchangeRoutes(app, {
    surface: 'portal',
    exchanges: options.exchanges,
    organisations: options.organisations,
    nav: portalNav,
    retentionDays: options.exchangeRetentionDays,
    viewerOf: (request) => {
      const session = requireReferent(request);
      return { organisationId: session.organisationId };
    },
  });
}
