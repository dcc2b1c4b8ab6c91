-- Why: issue 13, the card token vault (ALIAS/ALIASUSAGE). 0024 made the table; the vault also shows the card's BIN (first six digits, storable with the last four, PCI DSS 3.4) next to the masked number, remembers which order created the token and when it was last used, and the JSON API lists a merchant's tokens newest first. The PAN stays only sealed (AES-256-GCM under the master key, bound to merchant, environment and alias); the CVC is never stored.
ALTER TABLE card_aliases
  ADD COLUMN card_bin text NOT NULL DEFAULT '' CHECK (card_bin ~ '^([0-9]{6})?$'),
  ADD COLUMN created_order_id text REFERENCES orders (id),
  -- No name may hold a card number: an alias is shown and logged like any identifier.
  ADD CONSTRAINT card_aliases_alias_shape CHECK (alias ~ '^[A-Za-z0-9_.@:+-]+$');

CREATE INDEX card_aliases_listing ON card_aliases (merchant_id, environment, created_at DESC, id DESC);
