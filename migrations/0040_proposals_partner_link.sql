-- Why: linking a creditor institution's production notices to another organisation's station (its
-- technology partner) sends that station the institution's paGetPayment calls and receipts: it grants,
-- so under four-eyes it waits for a second administrator like approving a station (docs/adr/0034).
ALTER TABLE proposals DROP CONSTRAINT proposals_kind_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_kind_check
  CHECK (kind IN ('subscription.approve', 'subscription.reactivate', 'station.approve', 'api_key.regenerate', 'trust.add', 'pki.rotate_client', 'pagopa.partner_link'));
