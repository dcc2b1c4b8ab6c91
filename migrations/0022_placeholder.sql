-- Why: placeholder keeping the numbering gap-free on branch d-feedback (issue 13); slot 0022 belongs to
-- another branch, whose real migration replaces this file when both are merged.
SELECT 1;
