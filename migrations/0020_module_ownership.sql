-- Why: placeholder for issue 12 (0020_module_ownership); replaced by the migration of that work.
SELECT 1;
