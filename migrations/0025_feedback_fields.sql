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
