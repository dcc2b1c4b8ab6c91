-- Why: the hosted payment page needs, per order, the hash of the unguessable token that opens its
-- payment page (the token itself is only in the customer's URL, so payment pages cannot be
-- enumerated and the card form is CSRF-safe), the acquirer's reference of a 3-D Secure challenge
-- waiting for the customer (never card data), and the id of the server-to-server feedback message
-- (the order's event id) so the portal can show its delivery attempts.

ALTER TABLE orders ADD COLUMN page_token_hash text;
ALTER TABLE orders ADD COLUMN challenge jsonb;
ALTER TABLE orders ADD COLUMN feedback_message_id text;
ALTER TABLE payment_attempts ADD COLUMN acquirer_ref text;
CREATE INDEX orders_merchant_created ON orders (merchant_id, environment, created_at DESC);
