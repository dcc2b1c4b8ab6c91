-- Why: an operation of unknown outcome (92, 82, 62, 72, 52) set the order's status to its own; when the
-- acquirer's operation status query later says it was declined, the order must read again what it read
-- before that operation (docs/adr/0022, nineteenth session). Nothing else records it. Null for operations
-- written before this migration: their order keeps its status.
ALTER TABLE payment_operations ADD COLUMN order_status_before smallint, ADD COLUMN order_nc_error_before text;
