// Public surface of the checkout module: the hosted payment page's flow (entry with SHA-IN and
// referrer, order, card and 3-D Secure payment through an acquirer, outcome, feedback), orders read
// back, and the reconciliation of interrupted payments. Merchant configurations come from the
// merchants module; the Ogone rules from src/protocols/ogone (docs/adr/0023-ecommerce-split.md).

// The hosted page: entry, payment, orders read back.
export { createEntryService } from './entry.service.ts';
export type { EntryService } from './entry.service.ts';
export { createPaymentService } from './payment.service.ts';
export type { PageState, PaymentService, StepResult } from './payment.service.ts';
export { createOrdersService } from './orders.service.ts';
export type { OrdersService } from './orders.service.ts';
export type { OrderRecord, OrderSearch } from './orders.repository.ts';
export { hasOrders } from './orders.repository.ts';

// DirectLink (orderdirect, querydirect, maintenancedirect) and the maintenance of authorised payments
// (capture, refund, cancel, renew: one PAYIDSUB each) that DirectLink, the portal and the API share.
export { createDirectLinkService } from './directlink.service.ts';
export type { DirectLinkService } from './directlink.service.ts';
export type { DirectLinkRequest } from './directlink.auth.ts';
export { createOperationsService } from './operations.service.ts';
export type { MaintainResult, OperationActor, OperationView, OperationsService, OrderTarget } from './operations.service.ts';

// The card token vault (ALIAS/ALIASUSAGE): sealed PANs, masked views, per merchant and environment.
export { API_ALIAS_PAGE, createAliasesService } from './aliases.service.ts';
export type { AliasView, AliasesService } from './aliases.service.ts';

// Server-to-server feedback: the online attempt and the outbox's `http` handler; whom an exhausted one concerns.
export { chooseAddress, createFeedbackSender, feedbackHostVerdict, feedbackOwners } from './feedback.sender.ts';
export type { FeedbackHostVerdict, FeedbackSender, FeedbackSenderDeps } from './feedback.sender.ts';
export { PAYMENT_ZONE, createTemplateFetcher } from './template.fetcher.ts';
export type { TemplateFetcher, TemplateFetcherOptions, TemplateResult } from './template.fetcher.ts';

// Acquirers: the interface a payment processor implements, and the test acquirer.
export type { Acquirer } from './acquirer.ts';
export { TEST_ACCEPTANCE, createTestAcquirer } from './test-acquirer.ts';
export type { TestAcquirerFaults, TestAcquirerOptions } from './test-acquirer.ts';
// Its ledger (shared by every instance), pruned by a retention job.
export { TEST_LEDGER_RETENTION_DAYS, pruneTestAcquirerLedger } from './test-acquirer.ledger.ts';

// Interrupted payments (STATUS 99) settled by a periodic job (docs/adr/0022-order-reconciliation.md).
export { RECONCILE_EVERY_MS, RECONCILE_GRACE_MS, RECONCILE_MAX_AGE_MS, createReconciliation } from './reconciliation.service.ts';
export type { ReconciliationOptions } from './reconciliation.service.ts';
