-- Why: reactivating a suspended production subscription becomes a four-eyes proposal like approving
-- one (docs/adr/0034-four-eyes.md, amended): a suspension is often the answer to fraud or a leaked key,
-- and one administrator must not be able to undo it alone. The kind list of proposals grows by one.
ALTER TABLE proposals DROP CONSTRAINT proposals_kind_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_kind_check
  CHECK (kind IN ('subscription.approve', 'subscription.reactivate', 'station.approve', 'api_key.regenerate', 'trust.add', 'pki.rotate_client'));
