import type { FastifyInstance } from 'fastify';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { ReceiptsService } from '../../modules/pagopa-receipts/index.ts';
import { portalNav } from '../../views/nav.ts';
import { registerReceiptRoutes } from '../shared/receipt-routes.ts';
import { requireReferent } from '../shared/session.ts';

// The portal's pagoPA receipts: a referent reads the receipts its organisation is party to (the
// notice's or receiving creditor institution, the PSP that was paid, the owner of the station it
// goes to) and re-sends those its organisation receives or whose station it runs.

export interface PortalReceiptRoutesOptions {
  receipts: ReceiptsService;
  organisations: OrganisationsService;
  receiptRetryHours: number;
}

export function registerPortalReceiptRoutes(app: FastifyInstance, options: PortalReceiptRoutesOptions): void {
  registerReceiptRoutes(app, {
    surface: 'portal',
    receipts: options.receipts,
    organisations: options.organisations,
    nav: portalNav,
    retryHours: options.receiptRetryHours,
    viewerOf: (request) => {
      const session = requireReferent(request);
      return { viewer: { organisationId: session.organisationId }, actor: { type: 'referent', id: session.userId, ip: request.ip }, csrf: session.csrfToken };
    },
  });
}
