-- Why: migrations touch only the owning module's tables (issue 12, docs/adr/0023-ecommerce-split.md).
-- Migrations 0007 and 0010 put e-commerce triggers on the subscriptions module's tables; that module
-- now calls the hooks the merchants module registers at wiring, inside its own transactions, on every
-- path that creates or changes a subscription (portal, back office, CLI, createActive, expiry) or a product.
-- Replaced by merchant.hooks.ts `activated`: the PSPID is reserved in the approval's transaction.
DROP TRIGGER subscriptions_claim_pspid ON subscriptions;
DROP FUNCTION varco_claim_pspid();
-- Replaced by merchant.hooks.ts `changed` / `productChanged`: the merchants module notifies its own
-- channel (varco_merchant_config) inside the subscriptions module's transaction.
DROP TRIGGER subscriptions_notify_config ON subscriptions;
DROP TRIGGER products_notify_config ON products;
-- The triggers on the merchants module's own tables (merchants, merchant_settings, pspid_claims) stay,
-- with their function varco_notify_merchant_config().
