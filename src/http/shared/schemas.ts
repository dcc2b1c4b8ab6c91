import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TObject, type TOptional, type TSchema, type TString } from 'typebox';

// Request schemas of the HTML surfaces (portal, back office), shared so every route declares what it
// reads the same way (docs/adr/0026-route-schemas.md). Fastify validates them before the handler
// runs; with its default Ajv options a field no schema declares is removed, not refused, and a
// value of the wrong shape (a repeated name where one value is expected, an object in JSON) is a
// 400 `validation_failed`, which errors.ts renders as the surface's own error page.

/** The routes of `app`, typed from their TypeBox schemas (request.params, .query, .body). */
export const typed = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

/** A text field of a form or query string: absent, or one string. */
export const Text: TOptional<TString> = Type.Optional(Type.String());

/** A field a form may repeat (a group of checkboxes): one value arrives as a list of one. */
export const TextList = Type.Optional(Type.Array(Type.String()));

/** Longest path segment taken as an id: every Varco id is far shorter; a longer one is refused with 400. */
export const MAX_ID_LENGTH = 64;

/** A path segment naming a record; whether it is well formed (`isId`) is the route's check (404). */
export const IdSegment = Type.String({ maxLength: MAX_ID_LENGTH });

/** `/:id` routes. */
export const IdParams = Type.Object({ id: IdSegment });

/** `/:env` segments: test or prod, checked by the route (anything else is 404, like an unknown page). */
export const EnvSegment = Type.String({ maxLength: 8 });

/**
 * An urlencoded form: the fields it reads, each optional text unless said otherwise, and the CSRF
 * token the session plugin reads before validation. Undeclared fields are dropped.
 */
export function form<P extends Record<string, TSchema>>(properties: P) {
  return Type.Object({ _csrf: Text, ...properties }, { additionalProperties: false });
}

/** A page's query string: the parameters it reads and `lang` (every page takes it, see session.ts). */
export function query<P extends Record<string, TSchema>>(properties: P) {
  return Type.Object({ lang: Text, ...properties }, { additionalProperties: false });
}

/** A page that reads no query parameter but `lang`. */
export const NoQuery: TObject<{ lang: TOptional<TString> }> = query({});

/**
 * A property of a request part that has not been validated yet (hooks run before the route's schema):
 * `unknown`, to be narrowed by the caller. Own properties only, so `constructor` is never read.
 */
export function rawValue(source: unknown, name: string): unknown {
  if (typeof source !== 'object' || source === null) return undefined;
  const value: unknown = Object.getOwnPropertyDescriptor(source, name)?.value;
  return value;
}

/** rawValue when it is a string, else undefined. */
export function rawText(source: unknown, name: string): string | undefined {
  const value = rawValue(source, name);
  return typeof value === 'string' ? value : undefined;
}

const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * On an HTML surface: a route without its schemas cannot be registered (querystring always, params
 * when its URL has any, body when its method has one), so none is added without them; and a POST
 * without a body is an empty form, as it was before forms had schemas.
 */
export function requireRouteSchemas(app: FastifyInstance, surface: string): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const missing =
      schema.querystring === undefined
        ? 'querystring'
        : route.url.includes(':') && schema.params === undefined
          ? 'params'
          : methods.some((m) => BODY_METHODS.includes(m)) && schema.body === undefined
            ? 'body'
            : undefined;
    if (missing) throw new Error(`${surface} route ${methods.join(',')} ${route.url} must declare its ${missing} schema (src/http/shared/schemas.ts)`);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) request.body = {};
  });
}

/** A declared form field's text, '' when absent (the name must be one the schema declares). */
export function textOf<B extends object>(body: B, name: keyof B & string): string {
  const value: unknown = body[name];
  return typeof value === 'string' ? value : '';
}

/** A declared list field's values (TextList), [] when absent. */
export function listOf<B extends object>(body: B, name: keyof B & string): string[] {
  const value: unknown = body[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}
