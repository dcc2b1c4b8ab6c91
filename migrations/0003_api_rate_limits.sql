-- Why: the per-subscription /api rate limit must hold across several Varco instances. Each instance
-- counts locally and adds its count to the shared row of the current minute about once a second
-- (docs/adr/0005-api-keys.md). UNLOGGED: the counters are worth nothing after a crash and must not
-- cost WAL on every sync.

CREATE UNLOGGED TABLE api_rate_windows (
  subscription_id text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (subscription_id, window_start)
);
