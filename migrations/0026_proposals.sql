-- Why: issue 16 four-eyes — in production, a change that moves money or trust waits as a proposal until a second administrator approves it.
-- The row holds the use case's input as JSON (never a secret: a regenerated key is made only when the proposal executes).
CREATE TABLE proposals (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('subscription.approve', 'station.approve', 'api_key.regenerate', 'trust.add', 'pki.rotate_client')),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  organisation_id text,
  params jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'expired', 'executed', 'failed')),
  proposer_type text NOT NULL CHECK (proposer_type IN ('admin', 'referent', 'cli')),
  proposer_id text NOT NULL,
  proposer_email text NOT NULL,
  decider_type text CHECK (decider_type IN ('admin', 'cli')),
  decider_id text,
  decider_email text,
  comment text,
  outcome text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  decided_at timestamptz,
  finished_at timestamptz
);

-- One pending proposal per action and subject: a second click shows the first proposal.
CREATE UNIQUE INDEX proposals_one_pending ON proposals (kind, subject_id) WHERE state = 'pending';
CREATE INDEX proposals_by_state ON proposals (state, created_at);
