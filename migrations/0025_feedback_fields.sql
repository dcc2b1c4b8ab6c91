-- Why: feedback's BIN field (issue 13): the first six digits of the card number are kept next to the
-- masked number (last four), as card-industry rules allow, so the server-to-server feedback and
-- the redirect can report them. Never more digits than that.
ALTER TABLE orders ADD COLUMN card_bin text CHECK (card_bin ~ '^[0-9]{6}$');

-- Why: a CA added or removed with `varco trust add`/`trust remove` (or the back office) must reach
-- every running instance at once, not after a cache's minute (issue 13). Each change to the trust
-- store notifies `varco_trusted_cas` at commit (never for a rolled-back one); every instance's
-- trust caches re-read their roots at their next call.
CREATE FUNCTION varco_notify_trusted_cas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('varco_trusted_cas', TG_OP);
  RETURN NULL;
END
$$;

CREATE TRIGGER trusted_cas_notify AFTER INSERT OR UPDATE OR DELETE ON trusted_cas
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_trusted_cas();

-- Why: the hosted page's dynamic template (TP, issue 13) is fetched from the merchant's site; each
-- instance must not fetch it for every page view (5 s limit each, the merchant's server hammered),
-- so the last answer is kept here, per merchant and URL, for every instance. A failed fetch is kept
-- too (shortly) with its reason, so a broken template does not slow every customer. At most a few
-- URLs per merchant are kept (the fetcher deletes the oldest).
CREATE TABLE page_templates (
  merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
  url text NOT NULL CHECK (length(url) <= 1000),
  html text CHECK (octet_length(html) <= 262144),
  problem text CHECK (length(problem) <= 500),
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, url),
  CHECK ((html IS NULL) <> (problem IS NULL))
);
