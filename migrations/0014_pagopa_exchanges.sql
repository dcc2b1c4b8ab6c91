-- Why: placeholder for the pagoPA exchange log (issue 11); replaced by the migration of that work.
SELECT 1;
