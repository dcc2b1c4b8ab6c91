-- Why: the hosted page keeps each PSPID's configuration in memory, so an entry costs one database
-- round trip (the order) instead of two (issue 6's entry benchmark). Every change to what that
-- configuration is read from (the merchant, its settings, the state of an e-commerce subscription)
-- notifies all instances at commit, never for a rolled-back change, and they drop their cache.
-- Statement-level: one notification per statement; identical ones are merged per transaction.

CREATE FUNCTION varco_notify_merchant_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('varco_merchant_config', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER merchants_notify_config AFTER INSERT OR UPDATE OR DELETE ON merchants
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_merchant_config();
CREATE TRIGGER merchant_settings_notify_config AFTER INSERT OR UPDATE OR DELETE ON merchant_settings
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_merchant_config();
-- Not on every update: `inbound_verified_at` is written about once a second by API pings.
CREATE TRIGGER subscriptions_notify_config AFTER INSERT OR DELETE OR UPDATE OF state, organisation_id, product_id, environment, expires_at ON subscriptions
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_merchant_config();
CREATE TRIGGER products_notify_config AFTER UPDATE OF code ON products
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_merchant_config();
