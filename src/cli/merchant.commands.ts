import {
  shaTool,
  type ErrorLogEntry,
  type MerchantView,
  type MerchantsService,
  type PassphraseInput,
  type SettingsInput,
  type SettingsView,
} from '../modules/merchants/index.ts';
import { hostedNcErrorText } from '../protocols/ogone/hosted-errors.ts';
import { problemText } from '../views/merchant/strings.ts';
import { output, parse, required, UsageError } from './args.ts';
import type { Command } from './core.commands.ts';
import { readSecret, readSecretFile } from './prompt.ts';

// `npx varco merchant configure`, `npx varco errors list`, `npx varco shasign`: the merchant's
// technical settings, error log and SHASIGN tool for operators and automation. Passphrases come
// from files (or a prompt without echo), are validated like on the page and never printed.

const CLI_ACTOR = { type: 'cli', id: null, ip: null } as const;

const envOf = (value: string): 'test' | 'prod' => {
  if (value !== 'test' && value !== 'prod') throw new UsageError('--env must be test or prod');
  return value;
};
const str = (values: Record<string, string | boolean | undefined>, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};
const csv = (value: string): string[] => value.split(/[\s,;]+/).filter((s) => s !== '');

/** Spellings people type for the same choice: `SHA-512`, `ISO-8859-1`, `utf-8`. */
const ALG = (v: string): string => v.toLowerCase().replace(/-/g, '');
const CHARSET = (v: string): string => (({ 'iso-8859-1': 'latin1', 'utf-8': 'utf8' }) as Record<string, string>)[v.toLowerCase()] ?? v.toLowerCase();

const CONFIGURE_OPTIONS = {
  org: { type: 'string' },
  pspid: { type: 'string' },
  env: { type: 'string' },
  'hash-alg': { type: 'string' },
  'hashing-method': { type: 'string' },
  charset: { type: 'string' },
  referrers: { type: 'string' },
  'sha-in-file': { type: 'string' },
  'sha-out-file': { type: 'string' },
  'clear-sha-in': { type: 'boolean' },
  'clear-sha-out': { type: 'boolean' },
  'accept-url': { type: 'string' },
  'decline-url': { type: 'string' },
  'exception-url': { type: 'string' },
  'cancel-url': { type: 'string' },
  'feedback-on-redirect': { type: 'string' },
  's2s-timing': { type: 'string' },
  's2s-url-accepted': { type: 'string' },
  's2s-url-declined': { type: 'string' },
  's2s-method': { type: 'string' },
  'feedback-params': { type: 'string' },
  operation: { type: 'string' },
  retries: { type: 'string' },
  currencies: { type: 'string' },
  'accept-legacy-hashing': { type: 'boolean' },
} as const;

/** What the command says besides the change itself: the same warnings as the settings page. */
const WARNINGS = {
  legacy:
    'Legacy hashing ("main-parameters") is on: a customer can move digits between ORDERID and AMOUNT, no other parameter is signed, ' +
    'and ACCEPTURL/DECLINEURL/EXCEPTIONURL/CANCELURL/OPERATION of the request are ignored. Use each-parameter as soon as the shop can.',
  prodShaIn:
    'Production needs a SHA-IN passphrase (--sha-in-file): without one every payment request is refused (unknown order/0/s/ in the error log); ' +
    'a referrer list alone is not enough in production.',
} as const;

async function passphrase(values: Record<string, string | boolean | undefined>, file: string, clear: string): Promise<PassphraseInput | undefined> {
  const path = str(values, file);
  if (path !== undefined && values[clear] === true) throw new UsageError(`--${file} and --${clear} exclude each other`);
  if (values[clear] === true) return { action: 'clear' };
  if (path === undefined) return undefined;
  const value = await readSecretFile(path, file);
  return { action: 'set', value, confirm: value };
}

/** Only the flags given: everything else stays as it is. */
async function settingsInput(values: Record<string, string | boolean | undefined>): Promise<SettingsInput> {
  const input: SettingsInput = {};
  const set = <K extends keyof SettingsInput>(key: K, flag: string, map: (v: string) => SettingsInput[K]): void => {
    const v = str(values, flag);
    if (v !== undefined) input[key] = map(v);
  };
  set('hashAlgorithm', 'hash-alg', ALG);
  set('hashingMethod', 'hashing-method', (v) => v.toLowerCase());
  set('charset', 'charset', CHARSET);
  set('referrers', 'referrers', (v) => v);
  for (const [key, flag] of [
    ['acceptUrl', 'accept-url'],
    ['declineUrl', 'decline-url'],
    ['exceptionUrl', 'exception-url'],
    ['cancelUrl', 'cancel-url'],
    ['s2sUrlAccepted', 's2s-url-accepted'],
    ['s2sUrlDeclined', 's2s-url-declined'],
  ] as const)
    set(key, flag, (v) => v);
  const redirect = str(values, 'feedback-on-redirect');
  if (redirect !== undefined) {
    if (redirect !== 'true' && redirect !== 'false') throw new UsageError('--feedback-on-redirect must be true or false');
    input.feedbackOnRedirect = redirect === 'true';
  }
  set('s2sTiming', 's2s-timing', (v) => v.toLowerCase().replace(/-/g, '_'));
  set('s2sMethod', 's2s-method', (v) => v);
  set('feedbackParams', 'feedback-params', csv);
  set('defaultOperation', 'operation', (v) => v);
  set('paymentRetries', 'retries', (v) => v);
  set('enabledCurrencies', 'currencies', csv);
  if (values['accept-legacy-hashing'] === true) input.acceptLegacyHashing = true;
  const shaIn = await passphrase(values, 'sha-in-file', 'clear-sha-in');
  const shaOut = await passphrase(values, 'sha-out-file', 'clear-sha-out');
  if (shaIn) input.shaIn = shaIn;
  if (shaOut) input.shaOut = shaOut;
  return input;
}

function settingsJson(s: SettingsView): Record<string, unknown> {
  const { updatedAt, ...rest } = s;
  return { ...rest, updatedAt: updatedAt.toISOString() };
}

/**
 * The organisation's merchant account, opened if needed, holding `pspid` in `env` where that
 * environment is approved: claimed now if the account holds no PSPID there yet, refused if it
 * holds another one (a PSPID never changes) or another merchant holds this one.
 */
async function accountFor(
  merchants: MerchantsService,
  organisationId: string,
  pspid: string,
  env: 'test' | 'prod',
): Promise<{ merchant: MerchantView; created: boolean }> {
  const existing = await merchants.forOrganisation(organisationId);
  if (!existing) {
    const result = await merchants.create({ organisationId, pspid }, CLI_ACTOR);
    if (!result.ok) throw new UsageError(problemText('en', { field: 'pspid', code: result.reason }));
    return { merchant: result.value, created: true };
  }
  await merchants.ensureClaims(existing.id);
  const merchant = (await merchants.get(existing.id)) ?? existing;
  const held = merchant.pspids[env];
  const same = (a: string): boolean => a.toUpperCase() === pspid.toUpperCase();
  if (held !== undefined && !same(held)) throw new UsageError(`organisation ${organisationId} already has the merchant account ${held} in ${env}`);
  if (held === undefined && merchant.activeEnvironments.includes(env)) {
    const claimed = await merchants.claimPspid(merchant.id, env, pspid, CLI_ACTOR);
    if (!claimed.ok) throw new UsageError(`${env}: ${problemText('en', { field: 'pspid', code: claimed.reason })}`);
    return { merchant: claimed.value, created: false };
  }
  if (held === undefined && !same(merchant.pspid)) throw new UsageError(`organisation ${organisationId} already has the merchant account ${merchant.pspid}`);
  return { merchant, created: false };
}

function warningsFor(env: 'test' | 'prod', settings: SettingsView): string[] {
  return [...(settings.hashingMethod === 'main-parameters' ? [WARNINGS.legacy] : []), ...(env === 'prod' && !settings.shaInSet ? [WARNINGS.prodShaIn] : [])];
}

const configure: Command = async (args, ctx) => {
  const { values } = parse(args, CONFIGURE_OPTIONS);
  const json = values.json === true;
  const organisationId = required(values, 'org');
  const pspid = required(values, 'pspid');
  const env = envOf(required(values, 'env'));
  const input = await settingsInput(values);
  const { services } = await ctx.container();
  const merchants = services.merchants;
  const { merchant, created } = await accountFor(merchants, organisationId, pspid, env);
  const name = merchant.pspids[env] ?? merchant.pspid;
  // As the portal page: a server-to-server URL every delivery to which the sender would refuse is refused.
  const outcome = await merchants.updateSettings(merchant.id, env, input, CLI_ACTOR, { feedbackHostRefused: services.hostedPage.feedback.refusesHost });
  if (!outcome.ok) {
    const texts = outcome.problems.map((p) => problemText('en', p));
    if (json) output(ctx, true, { ok: false, problems: outcome.problems.map((p, i) => ({ ...p, text: texts[i] })) }, '');
    throw new UsageError(`${created ? `merchant account ${name} created, but its ` : ''}settings were not saved: ${texts.join('; ')}`);
  }
  const settings = await merchants.settings(merchant.id, env);
  const warnings = warningsFor(env, settings);
  output(
    ctx,
    json,
    {
      ok: true,
      merchantId: merchant.id,
      organisationId,
      pspid: name,
      pspids: merchant.pspids,
      env,
      created,
      changed: outcome.changed,
      replacedInTest: outcome.replacedInTest,
      warnings,
      settings: settingsJson(settings),
    },
    [
      created ? `Merchant account ${name} created (${merchant.id}).` : `Merchant account ${name} (${merchant.id}).`,
      outcome.changed.length ? `${env}: changed ${outcome.changed.join(', ')}.` : `${env}: nothing changed.`,
      ...(outcome.replacedInTest.length
        ? [
            `The test ${outcome.replacedInTest.join(' and ')} passphrase equalled a production one and was replaced by a random one; the referents were e-mailed.`,
          ]
        : []),
      `SHA-IN passphrase ${settings.shaInSet ? 'set' : 'not set'}, SHA-OUT passphrase ${settings.shaOutSet ? 'set' : 'not set'}.`,
      ...warnings.map((w) => `Warning: ${w}`),
    ].join('\n'),
  );
  return 0;
};

/** The entry with the platform's text of its NCERROR (`SHA Mismatch`), as the portal's and back office's error logs show it. */
function errorJson(e: ErrorLogEntry): Record<string, unknown> {
  return { ...e, at: e.at.toISOString(), codeText: hostedNcErrorText(e.code) ?? null };
}

function errorText(e: ErrorLogEntry): string {
  const label = hostedNcErrorText(e.code);
  const code = label === undefined ? e.code.padEnd(8) : `${e.code} (${label})`;
  const head = `${e.at.toISOString()}  ${e.env.padEnd(4)}  ${code}  ${e.message}  ORDERID=${e.orderRef ?? ''}  ip=${e.clientIp ?? ''}`;
  const strings = e.debug?.strings.map((s) => `    hashed (${s.order}): ${s.masked}`) ?? [];
  return [head, ...strings].join('\n');
}

const errorsList: Command = async (args, ctx) => {
  const { values } = parse(args, { pspid: { type: 'string' }, env: { type: 'string' }, limit: { type: 'string' } });
  const pspid = required(values, 'pspid');
  const env = str(values, 'env');
  const limitText = str(values, 'limit') ?? '50';
  if (!/^[0-9]{1,4}$/.test(limitText) || Number(limitText) < 1) throw new UsageError('--limit must be a number from 1 to 9999');
  const rows = await (
    await ctx.container()
  ).services.errorLog.listForPspid(pspid, { ...(env !== undefined ? { env: envOf(env) } : {}), limit: Number(limitText) });
  output(ctx, values.json === true, rows.map(errorJson), rows.map(errorText).join('\n') || `No errors recorded for ${pspid}.`);
  return 0;
};

const shasign: Command = async (args, ctx) => {
  const { values, positionals } = parse(
    args,
    {
      alg: { type: 'string' },
      'passphrase-file': { type: 'string' },
      method: { type: 'string' },
      encoding: { type: 'string' },
      list: { type: 'string' },
    },
    { positionals: 'any' },
  );
  const alg = ALG(str(values, 'alg') ?? 'sha512');
  if (alg !== 'sha1' && alg !== 'sha256' && alg !== 'sha512') throw new UsageError('--alg must be sha1, sha256 or sha512');
  const method = str(values, 'method') ?? 'each-parameter';
  if (method !== 'each-parameter' && method !== 'main-parameters') throw new UsageError('--method must be each-parameter or main-parameters');
  const encoding = CHARSET(str(values, 'encoding') ?? 'utf8');
  if (encoding !== 'utf8' && encoding !== 'latin1') throw new UsageError('--encoding must be utf8 or latin1');
  const list = str(values, 'list') ?? 'in';
  if (list !== 'in' && list !== 'out') throw new UsageError('--list must be in (SHA-IN) or out (SHA-OUT)');
  const params = positionals
    .map((p): [string, string] => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new UsageError(`${p} is not PARAM=value`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    })
    .filter(([name]) => name.toUpperCase() !== 'SHASIGN');
  const secret = await readSecret(ctx, 'Passphrase: ', { path: str(values, 'passphrase-file'), option: 'passphrase-file' });
  const result = shaTool(params, secret, { list, alg, method, encoding });
  if (!result.ok) throw new UsageError(result.problem === 'duplicate' ? `${result.param ?? ''} is given more than once` : 'the passphrase is empty');
  output(
    ctx,
    values.json === true,
    { digest: result.digest, string: result.masked, included: result.included, algorithm: alg, method, encoding, list },
    result.digest,
  );
  return 0;
};

export const merchantCommands: Record<string, { summary: string; options?: string[]; run: Command }> = {
  'merchant configure': {
    summary: 'create or configure a merchant account (--org ID --pspid P --env test|prod [settings …]; --help lists them)',
    options: [
      '--org ID --pspid P --env test|prod    the organisation, its PSPID and the environment whose settings change (required)',
      'Only the settings given change; the others keep their values:',
      '--hash-alg sha1|sha256|sha512         SHASIGN algorithm',
      '--hashing-method each-parameter|main-parameters   main-parameters (legacy) needs --accept-legacy-hashing',
      '--accept-legacy-hashing               accept the risks of legacy hashing',
      '--charset page|latin1|utf8            character encoding (page: as the page called)',
      '--referrers U;U                       URLs of the merchant pages containing the payment form',
      '--sha-in-file F, --sha-out-file F     SHA-IN / SHA-OUT passphrase: the first line of F (never printed)',
      '--clear-sha-in, --clear-sha-out       remove that passphrase',
      '--accept-url U, --decline-url U, --exception-url U, --cancel-url U   where the customer returns',
      '--feedback-on-redirect true|false     send the feedback parameters on the redirection URLs',
      '--s2s-timing none|deferred|online|online_deferred_fallback   server-to-server feedback',
      '--s2s-url-accepted U, --s2s-url-declined U, --s2s-method POST|GET   where and how it is sent',
      '--feedback-params A,B                 dynamic parameters sent as feedback (signed with SHA-OUT)',
      '--operation RES|SAL                   default operation code',
      '--retries N                           maximum payment attempts per order (1–99)',
      '--currencies EUR,USD                  enabled currencies (ISO 4217)',
    ],
    run: configure,
  },
  'errors list': { summary: 'print the hosted page error log of a PSPID (--pspid P [--env test|prod] [--limit N])', run: errorsList },
  shasign: {
    summary: 'compute a SHASIGN (--alg sha1|sha256|sha512 --passphrase-file F [--method …] [--encoding utf8|latin1] [--list in|out] PARAM=value …)',
    run: shasign,
  },
};
