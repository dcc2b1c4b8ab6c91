import type { FastifyInstance } from 'fastify';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { PaymentsReader } from '../../modules/pagopa-node/index.ts';
import type { ReceiptsService } from '../../modules/pagopa-receipts/index.ts';
import { adminNav } from '../../views/nav.ts';
import { registerPaymentRoutes } from '../shared/payment-routes.ts';
import { requireAdmin } from '../shared/session.ts';

// The back office's pagoPA payments: every token of the node, of every organisation.

export interface AdminPaymentRoutesOptions {
  pagopaPayments: PaymentsReader;
  organisations: OrganisationsService;
  receipts: ReceiptsService;
}

export function registerAdminPaymentRoutes(app: FastifyInstance, options: AdminPaymentRoutesOptions): void {
  registerPaymentRoutes(app, {
    surface: 'admin',
    payments: options.pagopaPayments,
    receipts: options.receipts,
    organisations: options.organisations,
    nav: adminNav,
    viewerOf: (request) => {
      requireAdmin(request);
      return { admin: true };
    },
  });
}
