-- Why: an activation sweeps the notice's token held past its expiry to `expired` before it asks the
-- EC. When that activation then fails (a wrong amount, the station down), nobody activated the notice
-- since, so the swept token's late OK outcome must still be accepted (the money moved): the failed
-- activation gives the token back. `superseded_by` names the activation that swept a token, so it can.
-- A nullable column without a default: no rewrite of the table.
ALTER TABLE pagopa_payments ADD COLUMN superseded_by text;
