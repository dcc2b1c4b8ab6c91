-- Why: placeholder for the test EC simulator (issue 11); replaced by the migration of that work.
SELECT 1;
