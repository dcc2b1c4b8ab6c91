-- Why: a message resent from the portal (feedback) or the receipts page (a failed receipt) is followed by
-- a new message, but the old one stayed `exhausted` or `dead`: the back office counted it as given up and
-- "resend all" delivered its event id (or paSendRT of a receipt already delivered) again (docs/adr/0025,
-- nineteenth session). The old message now names the one that replaced it, and the given-up queue and
-- the bulk resend skip it. Its state stays final, so retention prunes it as before (outbox_finished).
-- Null for every message written before: none is known to be superseded.
ALTER TABLE outbox ADD COLUMN superseded_by text;
