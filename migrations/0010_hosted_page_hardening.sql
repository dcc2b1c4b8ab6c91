-- Why: placeholder for hosted page hardening (issue 10 items 5, 6, 7, 17); replaced by the migration of that work.
SELECT 1;
