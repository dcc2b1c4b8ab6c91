-- Why: placeholder for outbound tenancy (issue 10 items 1, 3, 4); replaced by the migration of that work.
SELECT 1;
