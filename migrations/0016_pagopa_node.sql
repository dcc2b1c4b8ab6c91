-- Why: placeholder for the pagoPA node state (issue 11); replaced by the migration of that work.
SELECT 1;
