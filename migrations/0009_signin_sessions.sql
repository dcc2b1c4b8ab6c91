-- Why: sign-in attempts now take a slot in signin_throttle before the password is checked and a successful one gives the address its slot back (issue 10 item 2); a count can never go below zero, whatever the order of concurrent statements.
ALTER TABLE signin_throttle ADD CONSTRAINT signin_throttle_failures_not_negative CHECK (failures >= 0);
