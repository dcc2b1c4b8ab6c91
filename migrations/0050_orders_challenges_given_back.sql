-- Why: an order re-entered (same ORDERID, a new signed request) after a 3-D Secure challenge nobody
-- answered (46) is given its attempt back, and that used to happen on every re-entry: one captured entry
-- request, replayed, let anyone submit card after card to the acquirer, each ending in an unanswered
-- challenge, and the payment retry limit never counted them (a card-testing oracle). The column counts
-- the attempts given back; past a small bound (orders.repository.ts, CHALLENGE_GIVE_BACKS) an unanswered
-- challenge costs its attempt like a refusal, and on the last one the order is declined (docs/security.md 46).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS challenges_given_back integer NOT NULL DEFAULT 0 CHECK (challenges_given_back >= 0);
