-- Why: placeholder for issue 12 (0019_outbox); replaced by the migration of that work.
SELECT 1;
