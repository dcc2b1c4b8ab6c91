-- Why: placeholder for migration slot 21, reserved for work merged separately (issue 13 split); the loader needs numbers without gaps. The integrator replaces it with the real 0021.
SELECT 1;
