-- Why: placeholder for migration slot 0023 of another branch (issue 16's integrator keeps that branch's file); the runner needs numbers without gaps.
SELECT 1;
