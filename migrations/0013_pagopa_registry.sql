-- Why: placeholder for the pagoPA registry (issue 11); replaced by the migration of that work.
SELECT 1;
