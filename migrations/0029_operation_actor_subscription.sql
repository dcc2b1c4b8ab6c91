-- Why: a capture, refund or cancellation asked through the JSON API is made by a subscription's key
-- (sub_…), not by a DirectLink API user (apu_…); the ledger names the caller's kind truthfully.
ALTER TABLE payment_operations DROP CONSTRAINT payment_operations_actor_type_check;
ALTER TABLE payment_operations
  ADD CONSTRAINT payment_operations_actor_type_check CHECK (actor_type IN ('api_user', 'subscription', 'referent', 'admin', 'cli', 'system'));
