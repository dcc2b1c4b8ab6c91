-- Why: placeholder for migration slot 22, reserved for work merged separately (issue 13 split); the loader needs numbers without gaps. The integrator replaces it with the real 0022.
SELECT 1;
