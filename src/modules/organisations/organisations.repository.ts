import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, OrganisationType } from '../../db/index.ts';
import { likeContains } from '../../kernel/like.ts';

export function findOrganisation(db: Kysely<Database>, id: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findByTaxCode(db: Kysely<Database>, taxCode: string) {
  return db
    .selectFrom('organisations')
    .select('id')
    .where((eb) => eb.fn('upper', ['tax_code']), '=', taxCode.toUpperCase())
    .executeTakeFirst();
}

export function listOrganisations(db: Kysely<Database>) {
  return db.selectFrom('organisations').selectAll().orderBy('name').execute();
}

export interface OrganisationSearch {
  /** Part of the name, tax code or contact e-mail (case-insensitive, taken literally). */
  text?: string;
  type?: OrganisationType;
  /** The page after this organisation, in (lower(name), id) order. */
  afterId?: string;
  limit: number;
}

/** One of `columns` contains `text`, whatever the case (both sides folded by PostgreSQL, so they fold alike), taken literally. */
function containsAnyCase(
  eb: ExpressionBuilder<Database, 'organisations'>,
  text: string,
  columns: ReadonlyArray<'name' | 'tax_code' | 'contact_email'>,
): Expression<SqlBool> {
  const pattern = eb.fn<string>('lower', [eb.val(likeContains(text))]);
  return eb.or(columns.map((column) => eb(eb.fn('lower', [column]), 'like', pattern)));
}

/** The back office's list: by name (any case), a page at a time, narrowed by text and type. */
export function searchOrganisations(db: Kysely<Database>, search: OrganisationSearch) {
  let q = db.selectFrom('organisations').selectAll();
  if (search.text !== undefined) {
    const text = search.text;
    q = q.where((eb) => containsAnyCase(eb, text, ['name', 'tax_code', 'contact_email']));
  }
  if (search.type !== undefined) q = q.where('type', '=', search.type);
  if (search.afterId !== undefined) {
    const afterId = search.afterId;
    // Names repeat: the id breaks ties, so a page starts exactly after the last row of the previous one.
    q = q.where(sql<boolean>`(lower(name), id) > (SELECT lower(a.name), a.id FROM organisations a WHERE a.id = ${afterId})`);
  }
  // By name whatever its capitals ("Comune di …" beside "Comune Esempio"), as people read a list.
  return q
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .limit(search.limit)
    .execute();
}

/**
 * The ids of the organisations whose name or tax code contains `fragment` (any case, taken literally),
 * as a subquery for another module's search (the audit log's): only this module names its table
 * (docs/adr/0011).
 */
export function organisationsMatching(fragment: string) {
  return expressionBuilder<Database, never>()
    .selectFrom('organisations')
    .select('organisations.id')
    .where((eb) => containsAnyCase(eb, fragment, ['name', 'tax_code']));
}

/** Names by id, in one query (the lists that name several organisations per page). */
export async function organisationNamesById(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) return new Map();
  const rows = await db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', distinct).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function listInvitations(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('invitations')
    .select(['id', 'email', 'first_name', 'last_name', 'created_at', 'expires_at', 'accepted_at', 'superseded_at', 'product_ids'])
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * An organisation's name and tax code as scalar subqueries for another module's query (subscriptions,
 * the API key verifier, the pagoPA registry): still one query, and only this module names its table
 * (docs/adr/0011). `organisationId` is a column reference such as `subscriptions.organisation_id`; the
 * callers' columns are foreign keys to organisations, so the subqueries always find the row.
 */
export function organisationFields(organisationId: Expression<string>) {
  const eb = expressionBuilder<Database, never>();
  const of = eb.selectFrom('organisations').where('organisations.id', '=', organisationId);
  return {
    name: of.select('organisations.name').$asScalar().$notNull(),
    taxCode: of.select('organisations.tax_code').$asScalar().$notNull(),
  };
}

/**
 * The id of the organisation of `type` with this tax code (case-insensitive, on the unique index), as a
 * subquery for `organisation_id IN (…)` in another module's query (the registry finds an EC by fiscal code).
 */
export function organisationWithTaxCode(taxCode: string, type: OrganisationType) {
  const eb = expressionBuilder<Database, never>();
  return eb
    .selectFrom('organisations')
    .select('organisations.id')
    .where((inner) => inner.fn('upper', ['organisations.tax_code']), '=', taxCode.toUpperCase())
    .where('organisations.type', '=', type);
}
