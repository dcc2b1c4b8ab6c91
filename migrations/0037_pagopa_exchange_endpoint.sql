-- Why: a station may have a disaster-recovery endpoint; when its primary fails, Varco calls the
-- secondary (src/modules/outbound/client.ts). Nothing recorded which one answered, so an EC could not
-- tell from the exchange log that its DR site had taken over, nor which site refused. Outbound
-- exchanges now name the endpoint of their answer (or of their last failure); inbound rows and rows
-- written before this migration have none.
ALTER TABLE pagopa_exchanges ADD COLUMN endpoint text CHECK (endpoint IN ('primary', 'secondary'));
