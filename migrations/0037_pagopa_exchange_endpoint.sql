-- Why: a station may have a disaster-recovery endpoint; when its primary fails, Varco calls the
-- secondary (src/modules/outbound/client.ts). Nothing recorded which one answered, so an EC could not
-- tell from the exchange log that its DR site had taken over, nor which site refused. Outbound
-- exchanges now name the endpoint of their answer (or of their last failure); inbound rows and rows
-- written before this migration have none.
-- The check is added NOT VALID: every existing row is NULL, and validating would read the whole log under
-- the ALTER's lock while PSPs wait for their exchanges to be recorded.
ALTER TABLE pagopa_exchanges ADD COLUMN endpoint text;
ALTER TABLE pagopa_exchanges ADD CONSTRAINT pagopa_exchanges_endpoint_check CHECK (endpoint IN ('primary', 'secondary')) NOT VALID;
