-- Why: placeholder for audit integrity and database roles (issue 10 item 8); replaced by the migration of that work.
SELECT 1;
