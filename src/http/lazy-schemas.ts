import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

// Route schemas compiled on first use. Fastify compiles every route's validators (ajv) and response
// serializers (fast-json-stringify) when the app becomes ready: for Varco's ~300 routes that was
// ~170 ms of every start, a tenth of it (issue 15, ready ≤ 2 s; docs/benchmarks.md), for routes most
// of which an instance may never serve. Here each route part gets a function that compiles its schema
// the first time a request needs it (~1 ms, once per route and instance) with Fastify's own compilers,
// so validation and serialization are exactly Fastify's. Nothing goes unchecked: the suite compiles
// every route of the real app (`compileRouteSchemas`, test/foundation/route-schemas.test.ts), and a
// schema that fails to compile at run time is a fault of Varco's (500, logged), never a silent pass.
//
// Fastify treats a factory-built compiler as custom and then leaves header schemas as written instead
// of lowercasing their names; Varco declares no header schemas, and one with an uppercase name is
// refused at registration, where it would otherwise never match.
//
// Request bodies of the routes under `strictBodies` (the JSON API: build.ts) are validated by a second
// Ajv of Fastify's, with `removeAdditional` and `coerceTypes` off: a field the schema does not declare,
// or a value of the wrong type ("Amount", `"amount": true`), is refused (400 validation_failed) instead
// of being dropped or converted, which made a misspelt amount an operation on the whole amount
// (docs/adr/0026-route-schemas.md, docs/security.md 35). Forms, query strings and path parameters keep
// Fastify's defaults: an undeclared form field is dropped, and URL text is converted to the types declared.

// Fastify's own default compilers, resolved from Fastify itself: the very versions it would use.
const fastifyRequire = createRequire(import.meta.resolve('fastify'));
type Compiled = ((data: unknown) => unknown) & { errors?: unknown };
interface RouteSchemaPart {
  schema: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
}
type Compile = (part: RouteSchemaPart) => Compiled;
type Builder = (externalSchemas: unknown, options: unknown) => Compile;
const buildAjvValidator = (fastifyRequire('@fastify/ajv-compiler') as () => Builder)();
const buildStringifier = (fastifyRequire('@fastify/fast-json-stringify-compiler') as () => Builder)();

export interface SchemaCompileFailure {
  route: string;
  message: string;
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export interface LazySchemaOptions {
  /** URL prefixes (e.g. `/api/`) whose request bodies are refused, not trimmed or converted, when they do not match. */
  strictBodies?: readonly string[];
}

/** Ajv options of the strict body validator, over Fastify's (which turn both on). */
const STRICT_BODY_AJV = { removeAdditional: false, coerceTypes: false } as const;

export interface LazySchemaCompilers {
  /** For Fastify's `schemaController.compilersFactory`. */
  factory: CompilersFactory;
  /** Compiles every schema not yet compiled; the failures. */
  compileAll(): { compiled: number; failures: SchemaCompileFailure[] };
}

function describe(part: RouteSchemaPart): string {
  const what = part.httpPart ?? `response ${part.httpStatus ?? ''}`.trim();
  return `${part.method ?? '?'} ${part.url ?? '?'} (${what}${part.contentType ? `, ${part.contentType}` : ''})`;
}

function headerNamesInLowercase(part: RouteSchemaPart): void {
  if (part.httpPart !== 'headers' || typeof part.schema !== 'object' || part.schema === null) return;
  const { properties, required } = part.schema as { properties?: Record<string, unknown>; required?: unknown };
  const names = [...Object.keys(properties ?? {}), ...(Array.isArray(required) ? (required as unknown[]).map(String) : [])];
  const upper = names.find((name) => name !== name.toLowerCase());
  if (upper !== undefined) throw new Error(`header schema of ${describe(part)}: write "${upper}" in lowercase, as Node.js delivers header names`);
}

function strictBody(part: RouteSchemaPart, prefixes: readonly string[]): boolean {
  const url = part.url;
  return part.httpPart === 'body' && url !== undefined && prefixes.some((prefix) => url.startsWith(prefix));
}

export function lazySchemaCompilers(options: LazySchemaOptions = {}): LazySchemaCompilers {
  const strictPrefixes = options.strictBodies ?? [];
  const pending = new Map<() => Compiled, RouteSchemaPart>();
  const failures: SchemaCompileFailure[] = [];
  let compiledCount = 0;

  /** A function that compiles `part` with `compile` when first called (or by compileAll). */
  const lazily = (compile: Compile, part: RouteSchemaPart, copyErrors: boolean): Compiled => {
    let compiled: Compiled | undefined;
    const force = (): Compiled => {
      if (compiled === undefined) {
        // A schema that fails to compile stays pending: each request fails alike, and compileAll reports it.
        compiled = compile(part);
        pending.delete(force);
        compiledCount++;
      }
      return compiled;
    };
    pending.set(force, part);
    const run: Compiled = copyErrors
      ? (data) => {
          const fn = force();
          const result = fn(data);
          // Fastify reads the errors of a failed validation from the function it was given.
          run.errors = fn.errors;
          return result;
        }
      : (data) => force()(data);
    return run;
  };

  return {
    // Fastify's types for these are unions over ajv's and JTD's compilers; these are its default ones.
    factory: {
      buildValidator: (externalSchemas: unknown, ajvOptions: unknown) => {
        const compile = buildAjvValidator(externalSchemas, ajvOptions);
        // Fastify's options with the two defaults turned off; another Ajv instance (the pool is keyed by options).
        const given = ajvOptions as { customOptions?: Record<string, unknown> };
        const compileStrict = buildAjvValidator(externalSchemas, { ...given, customOptions: { ...given.customOptions, ...STRICT_BODY_AJV } });
        return (part: RouteSchemaPart) => {
          headerNamesInLowercase(part);
          return lazily(strictBody(part, strictPrefixes) ? compileStrict : compile, part, true);
        };
      },
      buildSerializer: (externalSchemas: unknown, serializerOptions: unknown) => {
        const compile = buildStringifier(externalSchemas, serializerOptions);
        return (part: RouteSchemaPart) => lazily(compile, part, false);
      },
    } as unknown as CompilersFactory,
    compileAll() {
      for (const [force, part] of [...pending]) {
        try {
          force();
        } catch (error) {
          pending.delete(force);
          failures.push({ route: describe(part), message: (error as Error).message });
        }
      }
      return { compiled: compiledCount, failures: [...failures] };
    },
  };
}

const compilersOf = new WeakMap<FastifyInstance, LazySchemaCompilers>();

/** Makes `app`, built with these compilers, known to compileRouteSchemas. */
export function rememberSchemaCompilers(app: FastifyInstance, compilers: LazySchemaCompilers): void {
  compilersOf.set(app, compilers);
}

/** Compiles every route schema of an app built with lazy compilers not compiled yet (the suite's check). */
export function compileRouteSchemas(app: FastifyInstance): { compiled: number; failures: SchemaCompileFailure[] } {
  const compilers = compilersOf.get(app);
  if (compilers === undefined) throw new Error('this app does not compile its schemas lazily');
  return compilers.compileAll();
}
