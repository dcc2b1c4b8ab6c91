// Lint: strict TypeScript rules plus the import boundaries of docs/adr/0001-layout.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ['error', { patterns }];
const group = (group, message) => ({ group, message });
const modulePatterns = [
  group(['**/http/**', '**/views/**', '**/app/**', '**/cli/**', '**/main/**', 'fastify', '@fastify/*'], 'modules know nothing of HTTP, views or wiring.'),
  { regex: '^\\.\\./[^./][^/]*/(?!index\\.ts$)', message: 'import another module only through its index.ts.' },
  { regex: '(^|/)modules/[^/]+/(?!index\\.ts$)', message: 'import another module only through its index.ts.' },
];

// Every file under src/http: module services through index.ts, no database, and no context (api,
// portal, admin, ncol, nodo) imports another; src/http/shared and src/http/plugins import none.
const httpPatterns = [
  group(['**/db/**', '**/*.repository.ts', 'kysely', 'pg'], 'HTTP contexts call module services, never the database.'),
  group(['**/modules/platform/**'], 'HTTP contexts see platform certificates through the stations module (downloads), never the PKI and its keys.'),
  { regex: '(^|/)modules/[^/]+/(?!index\\.ts$)', message: 'import a module only through its index.ts.' },
  group(['../admin/**', '../portal/**', '../api/**', '../ncol/**', '../nodo/**'], 'one context never imports another; what two share goes to src/http/shared.'),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.test-data/**', 'bench/results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through src/config only.' },
      ],
    },
  },
  // Layer boundaries (who may import whom).
  {
    files: ['src/kernel/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([group(['../*', '!../kernel/*'], 'kernel imports nothing from src.')]) },
  },
  {
    files: ['src/config/**/*.ts', 'src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([group(['**/modules/**', '**/http/**', '**/views/**', '**/app/**'], 'config, db and pki sit below modules and http.')]),
    },
  },
  // pki is pure helpers (issue, inspect, split PEM): no state, so no file system and no database. The
  // platform CAs and client certificates are kept by modules/platform (ADR 0024). Its test may open sockets.
  {
    files: ['src/pki/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict([
        group(['**/modules/**', '**/http/**', '**/views/**', '**/app/**'], 'config, db and pki sit below modules and http.'),
        group(
          ['**/db/**', '**/config/**', 'kysely', 'pg', 'node:fs', 'node:fs/*'],
          'pki keeps no state: the platform module stores certificates and keys (docs/adr/0024-platform-module.md).',
        ),
      ]),
    },
  },
  // Protocol libraries are pure: kernel and npm libraries only, no I/O, no framework. Their tests
  // (beside the code) may open sockets and read fixtures. modules and http may import protocols.
  {
    files: ['src/protocols/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict([
        group(
          ['**/modules/**', '**/http/**', '**/views/**', '**/app/**', '**/cli/**', '**/main/**', '**/db/**', '**/config/**', '**/pki/**'],
          'protocols import only src/kernel and npm libraries.',
        ),
        group(
          [
            'fastify',
            '@fastify/*',
            'kysely',
            'pg',
            'undici',
            'nodemailer',
            'node:fs',
            'node:fs/*',
            'node:net',
            'node:http',
            'node:https',
            'node:tls',
            'node:dgram',
            'node:child_process',
            'node:worker_threads',
          ],
          'protocols do no I/O: the caller brings the bytes and takes the result.',
        ),
      ]),
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(modulePatterns) },
  },
  // The e-commerce split (docs/adr/0023-ecommerce-split.md): checkout reads merchant configurations
  // through merchants' index.ts; merchants never depends on checkout (no cycle between the two).
  {
    files: ['src/modules/merchants/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        ...modulePatterns,
        group(['../checkout/*', '**/modules/checkout/**'], 'merchants does not depend on checkout: checkout depends on merchants.'),
      ]),
    },
  },
  // Subscriptions read an organisation's name through organisations' index.ts (docs/adr/0011), so
  // organisations never imports subscriptions: the products an invitation needs are given at wiring.
  {
    files: ['src/modules/organisations/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        ...modulePatterns,
        group(
          ['../subscriptions/*', '**/modules/subscriptions/**'],
          'organisations does not depend on subscriptions: subscriptions depends on organisations (the container passes the products to invitations).',
        ),
      ]),
    },
  },
  // The pagoPA registry reads stations' code and owner through stations' index.ts (docs/adr/0011), so
  // stations never imports the registry.
  {
    files: ['src/modules/stations/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        ...modulePatterns,
        group(['../pagopa-registry/*', '**/modules/pagopa-registry/**'], 'stations does not depend on the pagoPA registry: the registry depends on stations.'),
      ]),
    },
  },
  // modules/platform sits under every other module (stations present its client certificate): it
  // imports no other module, so nothing it does can depend on an organisation's data.
  {
    files: ['src/modules/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        group(['**/http/**', '**/views/**', '**/app/**', '**/cli/**', '**/main/**', 'fastify', '@fastify/*'], 'modules know nothing of HTTP, views or wiring.'),
        { regex: '^\\.\\./[^./][^/]*/', message: 'the platform module imports no other module (docs/adr/0024-platform-module.md).' },
        { regex: '(^|/)modules/(?!platform/)', message: 'the platform module imports no other module (docs/adr/0024-platform-module.md).' },
      ]),
    },
  },
  {
    files: ['src/http/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(httpPatterns) },
  },
  // src/http/shared holds what the contexts share (sessions, CSRF, forms, pagination, page glue, the
  // portal's and back office's common routes); src/http/plugins only the root plugins build.ts
  // installs (docs/adr/0028-http-shared.md). Contexts may import both; neither imports a context
  // (rule above), and shared never reaches up into the root plugins, so the two cannot form a cycle.
  {
    files: ['src/http/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([...httpPatterns, group(['../plugins/**'], 'shared code sits below the root plugins (docs/adr/0028-http-shared.md).')]),
    },
  },
  {
    files: ['src/views/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([group(['**/db/**', '**/modules/**', '**/http/**', 'fastify'], 'views take plain view models.')]) },
  },
  // Entry points and tests may read the environment; the reporter API requires a default export.
  {
    files: [
      'src/config/**/*.ts',
      'src/main/**/*.ts',
      'src/main/*.js',
      'scripts/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      '**/*.test.ts',
      'bin/**/*.js',
      'eslint.config.js',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
