-- Why: placeholder for sign-in and sessions (issue 10 items 2, 14, 15); replaced by the migration of that work.
SELECT 1;
