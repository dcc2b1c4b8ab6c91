-- Why: placeholder for invitations, retention and the rest (issue 10 items 9-13, 16, 18); replaced by the migration of that work.
SELECT 1;
