-- Why: migration 0045 stored, with each maintenance operation, the order's status when it was asked, to
-- put it back when the operation, of unknown outcome, was later declined. A review the same day showed that
-- snapshot is wrong once two operations overlap (the second one stores the first one's 92); the order's
-- status is now worked out from its operations under its lock (docs/adr/0022), and nothing reads the columns.
ALTER TABLE payment_operations DROP COLUMN IF EXISTS order_status_before, DROP COLUMN IF EXISTS order_nc_error_before;
