-- Why: the pagoPA node read the registry on every SOAP request: who the PSP, its broker and channel
-- are (with the channel's password hash), the creditor institution and its station links — about a
-- quarter of the statements of a payment flow (issue 15, benchmark row 5). Each instance now keeps
-- those answers in memory (src/modules/pagopa-registry/directory.cache.ts). Every change to the
-- registry's tables notifies `varco_pagopa_registry` at commit (never for a rolled-back change, also
-- for rows removed by a cascade or a TRUNCATE), and every instance drops what it kept. What the
-- lookups read of other modules (an organisation's name and tax code, a station's code and owner)
-- never changes once written.
CREATE FUNCTION varco_notify_pagopa_registry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('varco_pagopa_registry', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER pagopa_psp_brokers_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pagopa_psp_brokers
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_pagopa_registry();
CREATE TRIGGER pagopa_psps_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pagopa_psps
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_pagopa_registry();
CREATE TRIGGER pagopa_channels_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pagopa_channels
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_pagopa_registry();
CREATE TRIGGER pagopa_ecs_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pagopa_ecs
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_pagopa_registry();
CREATE TRIGGER pagopa_ec_links_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pagopa_ec_links
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_pagopa_registry();
