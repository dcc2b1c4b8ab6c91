-- Why: placeholder for issue 12 (0018_platform); replaced by the migration of that work.
SELECT 1;
