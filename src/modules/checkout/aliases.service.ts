/**
 * The card token vault (ALIAS/ALIASUSAGE; docs/security.md "The card token vault"). An alias names
 * one card of one merchant in one environment. What is kept: the PAN sealed with the master key
 * (AES-256-GCM, bound by its additional data to the merchant, environment and alias, so a sealed
 * value copied to another row does not open), and for display the brand, masked number, BIN,
 * expiry and holder. The CVC is never kept: a payment with a stored card takes the one typed now,
 * or none (DirectLink, recurring). Opening a PAN happens only to hand it to the acquirer inside a
 * PaymentCard. The hosted page and DirectLink store and reuse tokens; the JSON API lists, reads
 * and deletes them within the key's organisation and environment.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { idCursor, newId, parseIdCursor } from '../../kernel/ids.ts';
import { maskPans, scrubText } from '../../kernel/card-data.ts';
import { open, seal } from '../../kernel/secretbox.ts';
import { VarcoError } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import type { EcommerceEnv } from '../merchants/index.ts';
import { ALIAS_USAGE_MAX } from './aliases.policy.ts';
import {
  deleteAlias,
  findAlias,
  findAliasOf,
  listAliases,
  setOrderAlias,
  touchAlias,
  upsertAlias,
  type AliasKey,
  type AliasRow,
} from './aliases.repository.ts';
import { BIN_LENGTH, PaymentCard, type CardBrand, type CardSummary } from './card.ts';
import { cardExpiryText } from './orders.repository.ts';

export type { AliasKey } from './aliases.repository.ts';

/** What anyone may see of a stored card: never the number. */
export interface AliasView {
  alias: string;
  environment: EcommerceEnv;
  usage: string | null;
  card: { brand: string; number: string; bin: string; expiry: string; holder: string };
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

export interface AliasesServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  masterKey: Buffer | undefined;
  audit?: AuditLog;
}

/** The sealed PAN's additional data: the row it belongs to. */
const aadOf = (key: AliasKey): string => `card-alias:${key.merchantId}:${key.env}:${key.alias}`;

export function viewOf(row: AliasRow): AliasView {
  return {
    alias: row.alias,
    environment: row.environment,
    usage: row.usage,
    card: { brand: row.card_brand, number: row.card_masked, bin: row.card_bin, expiry: row.card_expiry, holder: row.card_holder },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

export const API_ALIAS_PAGE = 100;

const INVALID_CURSOR = 'after is not a cursor of this list: pass the `next` of the previous page as it came.';

export function createAliasesService(options: AliasesServiceOptions) {
  const { db, clock } = options;
  const masterKey = (): Buffer => {
    if (!options.masterKey) throw new VarcoError('internal_error', 'No master key is configured: Varco cannot seal or open stored cards.');
    return options.masterKey;
  };

  /**
   * Stores `card` under the alias (new, or the alias's card replaced) and records the alias on the
   * order. Called once the acquirer took the card (authorised, or asked for 3-D Secure).
   */
  async function remember(key: AliasKey, card: PaymentCard, usage: string | undefined, orderId: string): Promise<void> {
    const now = clock.now();
    const s = card.summary;
    await db.transaction().execute(async (trx) => {
      await upsertAlias(trx, {
        ...key,
        id: newId('als'),
        // Free text, scrubbed as the stored request's free fields are (docs/security.md 6): a verification
        // code dropped, card numbers masked; DirectLink passes ALIASUSAGE as sent.
        usage: usage === undefined ? null : scrubText(usage).slice(0, ALIAS_USAGE_MAX),
        panSealed: seal(masterKey(), card.number, aadOf(key)),
        brand: s.brand,
        masked: s.masked,
        bin: s.bin ?? card.number.slice(0, BIN_LENGTH),
        expiry: cardExpiryText(s),
        holder: s.holder,
        orderId,
        now,
      });
      await setOrderAlias(trx, orderId, key.alias, now);
    });
  }

  /** The stored card was used as it is: the order names it, the alias records the use. */
  async function used(key: AliasKey, orderId: string): Promise<void> {
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      await touchAlias(trx, key, now);
      await setOrderAlias(trx, orderId, key.alias, now);
    });
  }

  /** What the page shows of a stored card (masked), or undefined when the merchant has no such alias. */
  async function find(key: AliasKey): Promise<AliasView | undefined> {
    const row = await findAlias(db, key);
    return row ? viewOf(row) : undefined;
  }

  /**
   * The stored card ready for one authorisation, with the CVC typed now (or none) and the holder
   * given now (or the stored one); undefined when the merchant has no such alias.
   */
  async function cardFor(key: AliasKey, entered: { cvc: string; holder?: string }): Promise<PaymentCard | undefined> {
    const row = await findAlias(db, key);
    if (!row) return undefined;
    const number = open(masterKey(), row.pan_sealed, aadOf(key));
    const summary: CardSummary = {
      brand: row.card_brand as CardBrand,
      masked: row.card_masked,
      expiry: { month: Number(row.card_expiry.slice(0, 2)), year: 2000 + Number(row.card_expiry.slice(2)) },
      holder: entered.holder !== undefined && entered.holder.trim() !== '' ? maskPans(entered.holder.trim()) : row.card_holder,
      ...(row.card_bin !== '' ? { bin: row.card_bin } : {}),
    };
    return new PaymentCard(number, entered.cvc, summary);
  }

  // The JSON API: the key's organisation and environment only; any other alias is "not found".

  /**
   * A page of the key's aliases, newest first. `after` is the previous page's `next`: the (created_at,
   * id) of its last alias, so the page goes on where that one ended even when the alias was deleted
   * (the clean-up loop of a client paging through its cards) or made again under the same name.
   */
  async function list(organisationId: string, env: EcommerceEnv, after?: string): Promise<{ aliases: AliasView[]; next: string | null }> {
    const cursor = after === undefined ? undefined : parseIdCursor(after, 'als');
    if (after !== undefined && !cursor)
      throw new VarcoError('validation_failed', INVALID_CURSOR, {
        details: { issues: [{ in: 'querystring', path: '/after', field: 'after', message: INVALID_CURSOR }] },
      });
    const rows = await listAliases(db, organisationId, env, {
      limit: API_ALIAS_PAGE + 1,
      ...(cursor ? { after: { createdAt: cursor.at, id: cursor.id } } : {}),
    });
    const page = rows.slice(0, API_ALIAS_PAGE);
    const last = page.at(-1);
    return { aliases: page.map(viewOf), next: rows.length > API_ALIAS_PAGE && last ? idCursor(last.created_at, last.id) : null };
  }

  async function get(organisationId: string, env: EcommerceEnv, alias: string): Promise<AliasView | undefined> {
    const row = await findAliasOf(db, organisationId, env, alias);
    return row ? viewOf(row) : undefined;
  }

  /** Deletes the alias and its sealed card; the orders that used it keep its name. */
  async function remove(organisationId: string, env: EcommerceEnv, alias: string, subscriptionId: string): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const row = await findAliasOf(trx, organisationId, env, alias);
      if (!row || !(await deleteAlias(trx, row.id))) return false;
      await options.audit?.append(trx, {
        actorType: 'subscription',
        actorId: subscriptionId,
        action: 'card_alias.deleted',
        subjectType: 'card_alias',
        subjectId: row.id,
        organisationId,
        details: { environment: env, alias: row.alias, masked: row.card_masked },
      });
      return true;
    });
  }

  return { remember, used, find, cardFor, list, get, remove };
}

export type AliasesService = ReturnType<typeof createAliasesService>;
