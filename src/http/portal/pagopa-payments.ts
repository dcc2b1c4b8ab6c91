import type { FastifyInstance } from 'fastify';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { PaymentsReader } from '../../modules/pagopa-node/index.ts';
import type { ReceiptsService } from '../../modules/pagopa-receipts/index.ts';
import { portalNav } from '../../views/nav.ts';
import { registerPaymentRoutes } from '../shared/payment-routes.ts';
import { requireReferent } from '../shared/session.ts';

// The portal's pagoPA payments: a referent reads the node's tokens its organisation is party to (as
// the PSP that activated them, the notice's creditor institution, or the owner of the station the
// institution was called at), nothing else.

export interface PortalPaymentRoutesOptions {
  pagopaPayments: PaymentsReader;
  organisations: OrganisationsService;
  receipts: ReceiptsService;
}

export function registerPortalPaymentRoutes(app: FastifyInstance, options: PortalPaymentRoutesOptions): void {
  registerPaymentRoutes(app, {
    surface: 'portal',
    payments: options.pagopaPayments,
    receipts: options.receipts,
    organisations: options.organisations,
    nav: portalNav,
    viewerOf: (request) => ({ organisationId: requireReferent(request).organisationId }),
  });
}
