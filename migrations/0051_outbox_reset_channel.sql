-- Why: a password reset request did its work while the page waited: for an address with an account it
-- made a request row, queued an e-mail and wrote the audit log, for any other almost nothing, so the
-- answer's time told which addresses have accounts (account enumeration). The request is now one outbox
-- message on a channel of its own (`reset`), written the same way whatever address it names; the worker
-- looks the account up, makes the request row and queues the e-mail (src/modules/identity/password-reset.ts).
-- The outbox keeps it until then, so a crash between the answer and the e-mail loses nothing.

ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'http', 'soap', 'reset'));
