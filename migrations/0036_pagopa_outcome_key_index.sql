-- Why: an outcome's idempotencyKey belongs to one outcome of one PSP (primitives: the same key with a
-- different request is PPT_ERRORE_IDEMPOTENZA). The node accepted a key already used for another token's
-- outcome. Before recording an outcome with a key it now looks for another token of the same idPSP and
-- environment that recorded it; this index answers that look-up without reading the PSP's payments.
CREATE INDEX pagopa_payments_outcome_key ON pagopa_payments (environment, id_psp, outcome_idempotency_key)
  WHERE outcome_idempotency_key IS NOT NULL;
