-- Why: feedback's BIN field (issue 13): the first six digits of the card number are kept next to the
-- masked number (last four), as card-industry rules allow, so the server-to-server feedback and
-- the redirect can report them. Never more digits than that.
ALTER TABLE orders ADD COLUMN card_bin text CHECK (card_bin ~ '^[0-9]{6}$');
