import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VarcoError } from '../../kernel/errors.ts';
import { API_ALIAS_PAGE, type AliasesService } from '../../modules/checkout/index.ts';
import { apiAuth } from './auth.ts';
import { AUTH_ERRORS, ErrorResponse } from './schemas.ts';

// /api/v1/aliases: the merchant's stored cards (ALIAS, the token vault) in JSON, for shops that
// prefer it to the Alias Manager's pages — list, read, delete. A key of the `ecommerce` product (the
// `orders` route group) sees the aliases of its organisation in its environment only: any other is
// "not found". The card is shown masked; the number is never stored in clear and never returned.

const NOT_FOUND = 'No alias with this name for your organisation in this environment.';

const AliasName = Type.String({
  minLength: 1,
  maxLength: 50,
  pattern: '^[A-Za-z0-9_.@:+-]+$',
  description: 'The ALIAS, as the shop sent it (or as Varco made it for ALIASOPERATION=BYPSP).',
});

const PageCursor = Type.String({
  minLength: 1,
  maxLength: 60,
  description:
    'The `next` of the previous page, as it came. Anything else (an alias name, as before the nineteenth session, or an edited cursor) is 400 `validation_failed`.',
});

const KeyQuery = { 'subscription-key': Type.Optional(Type.String({ description: 'Alternative to the header, for compatibility.' })) };

const Alias = Type.Object({
  alias: Type.String(),
  environment: Type.Union([Type.Literal('test'), Type.Literal('prod')]),
  usage: Type.Union([Type.String(), Type.Null()], { description: 'ALIASUSAGE: the text the customer was shown about why the card is kept.' }),
  card: Type.Object({
    brand: Type.String({ description: 'As in feedback BRAND, e.g. VISA.' }),
    number: Type.String({ description: 'Masked as in feedback CARDNO: XXXXXXXXXXXX1111.' }),
    bin: Type.String({ description: 'The first six digits (BIN), as in feedback BIN; empty when unknown.' }),
    expiry: Type.String({ description: 'MMYY, as in feedback ED.' }),
    holder: Type.String(),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time', description: 'When the alias last received a card.' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'The last payment that created or used it.' }),
});

const AliasList = Type.Object({
  aliases: Type.Array(Alias, { description: `Newest first, at most ${API_ALIAS_PAGE}.` }),
  next: Type.Union([Type.String(), Type.Null()], {
    description:
      'Pass as `after` for the next page, as it came (an opaque cursor, not an alias name); null on the last. It holds when aliases already read are deleted meanwhile.',
  }),
});

export function registerAliases(app: FastifyInstance, aliases: Pick<AliasesService, 'list' | 'get' | 'remove'>): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  routes.get(
    '/v1/aliases',
    {
      config: { group: 'orders' },
      schema: {
        summary: 'The stored cards (aliases) of the organisation',
        description: `Aliases of the key\u2019s organisation in the key\u2019s environment, newest first, ${API_ALIAS_PAGE} a page.`,
        tags: ['aliases'],
        querystring: Type.Object({ ...KeyQuery, after: Type.Optional(PageCursor) }),
        response: { 200: AliasList, 400: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = apiAuth(request);
      return aliases.list(auth.organisationId, auth.environment, request.query.after);
    },
  );

  routes.get(
    '/v1/aliases/:alias',
    {
      config: { group: 'orders' },
      schema: {
        summary: 'One stored card (alias)',
        tags: ['aliases'],
        params: Type.Object({ alias: AliasName }),
        querystring: Type.Object(KeyQuery),
        response: { 200: Alias, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = apiAuth(request);
      const found = await aliases.get(auth.organisationId, auth.environment, request.params.alias);
      if (!found) throw new VarcoError('not_found', NOT_FOUND);
      return found;
    },
  );

  routes.delete(
    '/v1/aliases/:alias',
    {
      config: { group: 'orders' },
      schema: {
        summary: 'Delete a stored card (alias)',
        description: 'The sealed card is deleted; orders paid with it keep the alias\u2019s name. An order naming it again stores a new card.',
        tags: ['aliases'],
        params: Type.Object({ alias: AliasName }),
        querystring: Type.Object(KeyQuery),
        response: { 204: Type.Null({ description: 'Deleted.' }), 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const auth = apiAuth(request);
      if (!(await aliases.remove(auth.organisationId, auth.environment, request.params.alias, auth.subscriptionId)))
        throw new VarcoError('not_found', NOT_FOUND);
      return reply.code(204).send(null);
    },
  );
}
