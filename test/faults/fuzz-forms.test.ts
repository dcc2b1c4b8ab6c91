import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { Browser } from '../support/subscriptions.ts';
import { seedWalk, walkPages } from '../support/walk-seed.ts';

// Abuse of the two signed-in surfaces (the back office and the portal): every form found on every
// page of the walk's seeded Varco is submitted with its fields changed (emptied, dropped, repeated,
// overlong, NUL, odd numbers and dates, other ids), its action's ids replaced, and every page is
// asked for with odd query strings and ids. A valid session and CSRF token are sent, so the requests
// reach the handlers. No answer may be a 5xx. The seed is in the failure message; VARCO_FUZZ_SEED=<n>
// replays a run. (test/faults/fuzz-http.test.ts does the same for /ncol and /api.)

const seed = Number(process.env.VARCO_FUZZ_SEED ?? randomInt(2 ** 31));
const walk = await seedWalk();
const { app } = walk.t;
const pages = walkPages(walk.ids);

interface Form {
  page: string;
  action: string;
  fields: Array<[string, string]>;
}

const unescape = (s: string): string =>
  s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1] === undefined ? undefined : unescape(m[1]);
};

/** The POST forms of a page, each with the values a user would send unchanged (first option, checked boxes). */
function formsOf(page: string, html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [, open = '', inner = ''] = m;
    if ((attr(open, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const action = attr(open, 'action') ?? page;
    if (/sign-out/.test(action)) continue;
    const fields: Array<[string, string]> = [];
    for (const input of inner.matchAll(/<input\b[^>]*>/g)) {
      const tag = input[0];
      const name = attr(tag, 'name');
      if (!name) continue;
      const type = (attr(tag, 'type') ?? 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(tag)) continue;
      fields.push([name, attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')]);
    }
    for (const select of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(select[1] ?? '', 'name');
      const option = /<option\b([^>]*)>/.exec(select[2] ?? '');
      if (name) fields.push([name, attr(option?.[1] ?? '', 'value') ?? '']);
    }
    for (const area of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(area[1] ?? '', 'name');
      if (name) fields.push([name, unescape(area[2] ?? '')]);
    }
    forms.push({ page, action: action.split('#')[0] ?? action, fields });
  }
  return forms;
}

const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'x'.repeat(20_000),
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  'NaN',
  '2026-13-45',
  '9999-12-31T25:61',
  "'; DROP TABLE outbox; --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'Zoë ✓ 𝔘',
  '\uD800',
  '%',
  '%ZZ',
  'org_00000000000000000000000000',
  '00000000-0000-0000-0000-000000000000',
  'https://127.0.0.1:1/service',
  'https://[::1]/x',
  '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
  'true',
  'on',
];
const nasty = fc.constantFrom(...NASTY);
/** One value of each kind that has broken handlers elsewhere: tried on every field; the rest come at random. */
const EACH_FIELD = ['', '\u0000', 'x'.repeat(20_000), '-1', '1e309', '2026-13-45', '\uD800', 'org_00000000000000000000000000'];

/** The ids in the walk's URLs: replaced by odd values in actions and pages. */
const IDS = Object.values(walk.ids).filter((id) => typeof id === 'string' && id.length >= 8 && !id.includes('/'));
const otherIds = fc.constantFrom(...IDS);

/** A lone surrogate cannot be percent-encoded as UTF-8: its bytes as a browser would send them. */
const asPath = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

function replaceIds(url: string, by: string): string {
  let out = url;
  for (const id of IDS) out = out.replaceAll(id, asPath(by));
  return out;
}

type Mutation =
  | { kind: 'value'; index: number; value: string }
  | { kind: 'drop'; index: number }
  | { kind: 'repeat'; index: number; value: string }
  | { kind: 'extra'; name: string; value: string }
  | { kind: 'action'; value: string }
  | { kind: 'other-id'; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('value' as const), index: fc.nat(), value: nasty }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repeat' as const), index: fc.nat(), value: nasty }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('extra' as const), name: fc.constantFrom('__proto__', 'constructor', 'x[]', 'a.b', ''), value: nasty }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('action' as const), value: nasty }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('other-id' as const), value: otherIds }) },
);

function mutate(form: Form, mutations: Mutation[]): { url: string; fields: Array<[string, string]> } {
  let url = form.action;
  const fields = form.fields.map(([k, v]) => [k, v] as [string, string]);
  for (const m of mutations) {
    const at = fields.length === 0 ? -1 : ('index' in m ? m.index : 0) % fields.length;
    if (m.kind === 'value' && at >= 0 && fields[at]![0] !== '_csrf') fields[at]![1] = m.value;
    else if (m.kind === 'drop' && at >= 0 && fields[at]![0] !== '_csrf') fields.splice(at, 1);
    else if (m.kind === 'repeat' && at >= 0 && fields[at]![0] !== '_csrf') fields.push([fields[at]![0], m.value]);
    else if (m.kind === 'extra') fields.push([m.name, m.value]);
    else if (m.kind === 'action' || m.kind === 'other-id') url = replaceIds(url, m.value);
  }
  return { url, fields };
}

const QUERIES = fc.constantFrom(
  '?page=-1',
  '?page=99999999999999999999',
  '?cursor=%00',
  '?cursor=zzz',
  '?before=not-a-date',
  '?from=2026-13-45&to=0000-00-00',
  '?state=%E0%A4%A',
  '?q=' + 'x'.repeat(5000),
  '?q=%00',
  '?filter=__proto__',
  '?lang=xx',
  '?sort=;drop',
  '?limit=-5',
  '?limit=1e9',
  '?version=%FF',
  '?a=1&a=2&a=3',
);

interface Signed {
  browser: Browser;
  signIn: () => Promise<void>;
}

async function signedIn(surface: 'admin' | 'portal'): Promise<Signed> {
  const user = surface === 'admin' ? walk.admins.en : walk.referents.en;
  const browser = new Browser(app, surface);
  const signed: Signed = {
    browser,
    signIn: async () => {
      browser.jar.cookies.clear();
      await browser.signIn(user.email, user.password);
    },
  };
  await signed.signIn();
  return signed;
}

for (const surface of ['admin', 'portal'] as const) {
  test(`${surface}: every form, changed, and every page with odd queries and ids gets no 5xx (seed ${seed})`, async () => {
    const signed = await signedIn(surface);
    const forms: Form[] = [];
    for (const page of pages[surface]) {
      const res = await signed.browser.get(page);
      assert.ok(res.statusCode === 200 || res.statusCode === 303, `${page}: ${res.statusCode}`);
      // A form on every page (the language switch) counts once.
      for (const form of formsOf(page, res.body)) if (!forms.some((f) => f.action === form.action)) forms.push(form);
    }
    assert.ok(forms.length >= (surface === 'admin' ? 15 : 10), `${surface}: only ${forms.length} forms found`);

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const seen = async (what: string, res: { statusCode: number; body: string; headers: Record<string, unknown> }): Promise<void> => {
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500 && failures.length < 8) failures.push(`${res.statusCode} ← ${what}\n   ${res.body.slice(0, 300)}`);
      // A change may end the session (a password, a suspension): sign in again and go on.
      const location = String(res.headers.location ?? '');
      if (res.statusCode === 303 && location.includes('sign-in')) await signed.signIn().catch(() => undefined);
    };

    const submit = async (form: Form, mutations: Mutation[]): Promise<void> => {
      const { url, fields } = mutate(form, mutations);
      const body = new URLSearchParams();
      for (const [k, v] of fields) body.append(k, k === '_csrf' ? signed.browser.csrf : v);
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { cookie: signed.browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
      await seen(`POST ${url} ${JSON.stringify(fields.map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 20)}…(${v.length})` : v]))}`, res);
    };

    // Each field of each form with each odd value, and without it; each id of its action replaced.
    for (const form of forms) {
      for (const [index, [name]] of form.fields.entries()) {
        if (name === '_csrf') continue;
        for (const value of EACH_FIELD) await submit(form, [{ kind: 'value', index, value }]);
        await submit(form, [{ kind: 'drop', index }]);
      }
      if (IDS.some((id) => form.action.includes(id))) for (const value of EACH_FIELD) await submit(form, [{ kind: 'action', value }]);
    }
    // Then random combinations of up to three changes.
    const rounds = fc.sample(fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 })), { numRuns: forms.length * 8, seed });
    for (const [pick, mutations] of rounds) await submit(forms[pick % forms.length]!, mutations);

    const gets = fc.sample(fc.tuple(fc.constantFrom(...pages[surface]), QUERIES, fc.option(nasty, { nil: undefined })), { numRuns: 200, seed });
    for (const [page, query, id] of gets) {
      const path = page.split('?')[0] ?? page;
      const url = `${id === undefined ? path : replaceIds(path, id)}${query}`;
      const res = await signed.browser.get(url);
      await seen(`GET ${url.slice(0, 200)}`, res);
    }

    const fives = [...statuses].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
    assert.equal(fives, 0, `seed ${seed}: ${fives} answers were 5xx, e.g.\n${failures.join('\n')}`);
    // The changed forms must reach the handlers, not stop at the session or CSRF check.
    assert.ok((statuses.get(303) ?? 0) + (statuses.get(200) ?? 0) > 0, JSON.stringify([...statuses]));
    assert.ok((statuses.get(400) ?? 0) + (statuses.get(422) ?? 0) > 0, JSON.stringify([...statuses]));
  });
}
