import type { FastifyInstance } from 'fastify';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { ReceiptsService } from '../../modules/pagopa-receipts/index.ts';
import { adminNav } from '../../views/nav.ts';
import { registerReceiptRoutes } from '../shared/receipt-routes.ts';
import { requireAdmin } from '../shared/session.ts';

// The back office's pagoPA receipts: every receipt of every organisation, each re-sendable.

export interface AdminReceiptRoutesOptions {
  receipts: ReceiptsService;
  organisations: OrganisationsService;
  receiptRetryHours: number;
}

export function registerAdminReceiptRoutes(app: FastifyInstance, options: AdminReceiptRoutesOptions): void {
  registerReceiptRoutes(app, {
    surface: 'admin',
    receipts: options.receipts,
    organisations: options.organisations,
    nav: adminNav,
    retryHours: options.receiptRetryHours,
    viewerOf: (request) => {
      const session = requireAdmin(request);
      return { viewer: { admin: true }, actor: { type: 'admin', id: session.userId, ip: request.ip }, csrf: session.csrfToken };
    },
  });
}
