import type { FastifyInstance } from 'fastify';
import type { ExchangeLog } from '../../modules/pagopa-exchanges/index.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import { adminNav } from '../../views/nav.ts';
import { registerExchangeRoutes } from '../shared/exchange-routes.ts';
import { requireAdmin } from '../shared/session.ts';

// The back office's pagoPA exchange log: every message of every organisation.

export interface AdminExchangeRoutesOptions {
  exchanges: ExchangeLog;
  organisations: OrganisationsService;
  exchangeRetentionDays: number;
}

export function registerAdminExchangeRoutes(app: FastifyInstance, options: AdminExchangeRoutesOptions): void {
  registerExchangeRoutes(app, {
    surface: 'admin',
    exchanges: options.exchanges,
    organisations: options.organisations,
    nav: adminNav,
    retentionDays: options.exchangeRetentionDays,
    viewerOf: (request) => {
      requireAdmin(request);
      return { admin: true };
    },
  });
}
