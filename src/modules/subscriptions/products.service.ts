import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { findProduct, listProducts, notifyKeysChanged, productsOfUser } from './subscriptions.repository.ts';
import type { SubscriptionHooks } from './subscription.hooks.ts';
import type { SubscriptionActor } from './subscriptions.service.ts';

// The product catalogue: which /api route groups a product grants, whether its subscriptions need an
// administrator's approval (per environment), and its per-subscription rate limit.

/** Every /api route declares one of these groups; a product grants a set of them. */
export const ROUTE_GROUPS = ['ping', 'node', 'orders'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export interface ProductInput {
  code: string;
  name: string;
  description: string;
  routeGroups: string[];
  approvalRequiredTest: boolean;
  approvalRequiredProd: boolean;
  rateLimitPerMinute: number;
}

export type ProductProblem =
  'invalid_code' | 'name_required' | 'description_too_long' | 'no_route_groups' | 'unknown_route_group' | 'invalid_rate_limit' | 'code_taken' | 'not_found';

export const PRODUCT_PROBLEM_TEXT: Record<ProductProblem, string> = {
  invalid_code: 'The code must be 2–32 lower-case letters, digits, dashes or underscores, starting with a letter.',
  name_required: 'The name is required (at most 100 characters).',
  description_too_long: 'The description may have at most 500 characters.',
  no_route_groups: 'Choose at least one route group.',
  unknown_route_group: `Route groups must be among: ${ROUTE_GROUPS.join(', ')}.`,
  invalid_rate_limit: 'The rate limit must be a whole number of requests per minute between 1 and 1,000,000.',
  code_taken: 'A product with this code exists already.',
  not_found: 'No such product.',
};

function check(input: ProductInput): ProductProblem | undefined {
  if (!/^[a-z][a-z0-9_-]{1,31}$/.test(input.code)) return 'invalid_code';
  if (input.name.trim() === '' || input.name.trim().length > 100) return 'name_required';
  if (input.description.length > 500) return 'description_too_long';
  if (input.routeGroups.length === 0) return 'no_route_groups';
  if (input.routeGroups.some((g) => !(ROUTE_GROUPS as readonly string[]).includes(g))) return 'unknown_route_group';
  if (!Number.isInteger(input.rateLimitPerMinute) || input.rateLimitPerMinute < 1 || input.rateLimitPerMinute > 1_000_000) return 'invalid_rate_limit';
  return undefined;
}

export function createProductsService(options: { db: Kysely<Database>; clock: Clock; audit: AuditLog; hooks: SubscriptionHooks }) {
  const { db, clock, audit } = options;
  const columns = (input: ProductInput) => ({
    code: input.code,
    name: input.name.trim(),
    description: input.description.trim(),
    route_groups: [...new Set(input.routeGroups)],
    approval_required_test: input.approvalRequiredTest,
    approval_required_prod: input.approvalRequiredProd,
    rate_limit_per_minute: input.rateLimitPerMinute,
  });

  async function create(input: ProductInput, actor: SubscriptionActor): Promise<Result<{ id: string }, ProductProblem>> {
    const problem = check(input);
    if (problem) return fail(problem);
    const id = newId('prd');
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('products')
          .values({ id, ...columns(input), created_at: clock.now() })
          .execute();
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'product.created',
          subjectType: 'product',
          subjectId: id,
          details: { code: input.code, routeGroups: input.routeGroups.join(','), rateLimitPerMinute: input.rateLimitPerMinute },
        });
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return fail('code_taken');
      throw error;
    }
    return ok({ id });
  }

  /** Changes apply to existing subscriptions at once: every instance drops its cached key verdicts. */
  async function update(id: string, input: ProductInput, actor: SubscriptionActor): Promise<Result<{ id: string }, ProductProblem>> {
    const problem = check(input);
    if (problem) return fail(problem);
    try {
      return await db.transaction().execute(async (trx) => {
        const previous = await findProduct(trx, id);
        if (!previous) return fail('not_found' as const);
        await trx.updateTable('products').set(columns(input)).where('id', '=', id).execute();
        await options.hooks.productChanged?.(trx, { productId: id, code: input.code, previousCode: previous.code });
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'product.updated',
          subjectType: 'product',
          subjectId: id,
          details: {
            code: input.code,
            routeGroups: input.routeGroups.join(','),
            approvalRequiredTest: input.approvalRequiredTest,
            approvalRequiredProd: input.approvalRequiredProd,
            rateLimitPerMinute: input.rateLimitPerMinute,
          },
        });
        await notifyKeysChanged(trx, `product:${id}`);
        return ok({ id });
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return fail('code_taken');
      throw error;
    }
  }

  return {
    list: () => listProducts(db),
    get: (id: string) => findProduct(db, id),
    /** The products a referent may subscribe to (chosen at invitation). */
    forReferent: (userId: string) => productsOfUser(db, userId),
    create,
    update,
  };
}

export type ProductsService = ReturnType<typeof createProductsService>;
