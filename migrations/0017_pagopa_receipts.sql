-- Why: placeholder for the pagoPA receipts (issue 11); replaced by the migration of that work.
SELECT 1;
