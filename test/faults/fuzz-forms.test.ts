import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { Browser } from '../support/subscriptions.ts';
import { postFormsOf, type PageForm } from '../support/forms.ts';
import { seedWalk, walkPages, type Walk } from '../support/walk-seed.ts';

// Abuse of the two signed-in surfaces (the back office and the portal): every form found on every
// page of the walk's seeded Varco is submitted with its fields changed (emptied, dropped, repeated,
// overlong, NUL, odd numbers and dates, other ids), its action's ids replaced, and every page is
// asked for with odd query strings and ids. A valid session and CSRF token are sent, and a form's
// hidden fields (a version, a token) are read again after each change it makes, so the requests reach
// the handlers: every form must be accepted at least once and none refused by the CSRF check. Each
// surface gets a walk of its own, so one surface's changes (a suspension, a removed link) do not hide
// the other's forms. No answer may be a 5xx. The seed is in the failure message; VARCO_FUZZ_SEED=<n>
// replays a run. (test/faults/fuzz-http.test.ts does the same for /ncol and /api.)

const seed = Number(process.env.VARCO_FUZZ_SEED ?? randomInt(2 ** 31));

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
const idsOf = (walk: Walk): string[] => Object.values(walk.ids).filter((id) => typeof id === 'string' && id.length >= 8 && !id.includes('/'));

/** A lone surrogate cannot be percent-encoded as UTF-8: its bytes as a browser would send them. */
const asPath = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

function replaceIds(url: string, by: string, ids: readonly string[]): string {
  let out = url;
  for (const id of ids) out = out.replaceAll(id, asPath(by));
  return out;
}

type Mutation =
  | { kind: 'value'; index: number; value: string }
  | { kind: 'drop'; index: number }
  | { kind: 'repeat'; index: number; value: string }
  | { kind: 'extra'; name: string; value: string }
  | { kind: 'action'; value: string }
  | { kind: 'other-id'; value: string };

const mutationAmong = (ids: readonly string[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('value' as const), index: fc.nat(), value: nasty }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('repeat' as const), index: fc.nat(), value: nasty }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('extra' as const), name: fc.constantFrom('__proto__', 'constructor', 'x[]', 'a.b', ''), value: nasty }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('action' as const), value: nasty }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('other-id' as const), value: fc.constantFrom(...ids) }) },
  );

function mutate(form: PageForm, mutations: Mutation[], ids: readonly string[]): { url: string; fields: Array<[string, string]> } {
  let url = form.action;
  const fields = form.fields.map(([k, v]) => [k, v] as [string, string]);
  for (const m of mutations) {
    const at = fields.length === 0 ? -1 : ('index' in m ? m.index : 0) % fields.length;
    if (m.kind === 'value' && at >= 0 && fields[at]![0] !== '_csrf') fields[at]![1] = m.value;
    else if (m.kind === 'drop' && at >= 0 && fields[at]![0] !== '_csrf') fields.splice(at, 1);
    else if (m.kind === 'repeat' && at >= 0 && fields[at]![0] !== '_csrf') fields.push([fields[at]![0], m.value]);
    else if (m.kind === 'extra') fields.push([m.name, m.value]);
    else if (m.kind === 'action' || m.kind === 'other-id') url = replaceIds(url, m.value, ids);
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

/** Counted per form beside the statuses: a 4xx answer from the form's handler (see `seen`). */
const HANDLED = -1;

interface Signed {
  browser: Browser;
  signIn: () => Promise<void>;
}

async function signedIn(walk: Walk, surface: 'admin' | 'portal'): Promise<Signed> {
  const user = surface === 'admin' ? walk.admins.en : walk.referents.en;
  const browser = new Browser(walk.t.app, surface);
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
    const walk = await seedWalk();
    const { app } = walk.t;
    const pages = walkPages(walk.ids)[surface];
    const ids = idsOf(walk);
    const signed = await signedIn(walk, surface);
    const forms: PageForm[] = [];
    for (const page of pages) {
      const res = await signed.browser.get(page);
      assert.ok(res.statusCode === 200 || res.statusCode === 303, `${page}: ${res.statusCode}`);
      // A form on every page (the language switch) counts once.
      for (const form of postFormsOf(page, res.body)) if (!forms.some((f) => f.action === form.action)) forms.push(form);
    }
    // Every form of the walk's pages (24 and 20 when written): fewer means a page lost its forms.
    assert.ok(forms.length >= (surface === 'admin' ? 24 : 20), `${surface}: only ${forms.length} forms found`);

    /** After a change, the page's forms as they now are: a version or token in a hidden field moves on. */
    const reread = async (page: string): Promise<void> => {
      const res = await signed.browser.get(page);
      if (res.statusCode !== 200) return;
      for (const fresh of postFormsOf(page, res.body)) {
        const known = forms.find((f) => f.action === fresh.action);
        if (known) known.fields = fresh.fields;
      }
    };

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    /** Per form action, the statuses its submissions got. */
    const byForm = new Map<string, Map<number, number>>();
    const seen = async (what: string, res: { statusCode: number; body: string; headers: Record<string, unknown> }): Promise<void> => {
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500 && failures.length < 8) failures.push(`${res.statusCode} ← ${what}\n   ${res.body.slice(0, 300)}`);
      // A change may end the session (a password, a suspension): sign in again and go on.
      const location = String(res.headers.location ?? '');
      if (res.statusCode === 303 && location.includes('sign-in')) await signed.signIn().catch(() => undefined);
    };

    const submit = async (form: PageForm, mutations: Mutation[]): Promise<void> => {
      const { url, fields } = mutate(form, mutations, ids);
      const body = new URLSearchParams();
      for (const [k, v] of fields) body.append(k, k === '_csrf' ? signed.browser.csrf : v);
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { cookie: signed.browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
      await seen(`POST ${url} ${JSON.stringify(fields.map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 20)}…(${v.length})` : v]))}`, res);
      const counts = byForm.get(form.action) ?? new Map<number, number>();
      counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
      // A refusal that shows the form again, with its problem, came from the form's handler.
      if (res.statusCode >= 400 && res.statusCode < 500 && res.body.includes(`action="${form.action}"`)) counts.set(HANDLED, (counts.get(HANDLED) ?? 0) + 1);
      byForm.set(form.action, counts);
      // A change, or a conflict with one another form made (a version moved on): read the form's page again.
      if ((res.statusCode === 303 && !String(res.headers.location ?? '').includes('sign-in')) || res.statusCode === 409) await reread(form.page);
    };

    // Each form as the page gives it; each field of each form with each odd value, and without it; each id of its
    // action replaced. Forms that end a record (delete, remove, cancel) go last, so the others still find it.
    const ending = (f: PageForm): number => (/\/(delete|remove|cancel|revoke)$/.test(f.action) ? 1 : 0);
    for (const form of [...forms].sort((a, b) => ending(a) - ending(b))) {
      await submit(form, []);
      for (const [index, [name]] of form.fields.entries()) {
        if (name === '_csrf') continue;
        for (const value of EACH_FIELD) await submit(form, [{ kind: 'value', index, value }]);
        await submit(form, [{ kind: 'drop', index }]);
      }
      if (ids.some((id) => form.action.includes(id))) for (const value of EACH_FIELD) await submit(form, [{ kind: 'action', value }]);
    }
    // Then random combinations of up to three changes.
    const rounds = fc.sample(fc.tuple(fc.nat(), fc.array(mutationAmong(ids), { minLength: 1, maxLength: 3 })), { numRuns: forms.length * 8, seed });
    for (const [pick, mutations] of rounds) await submit(forms[pick % forms.length]!, mutations);

    const gets = fc.sample(fc.tuple(fc.constantFrom(...pages), QUERIES, fc.option(nasty, { nil: undefined })), { numRuns: 200, seed });
    for (const [page, query, id] of gets) {
      const path = page.split('?')[0] ?? page;
      const url = `${id === undefined ? path : replaceIds(path, id, ids)}${query}`;
      const res = await signed.browser.get(url);
      await seen(`GET ${url.slice(0, 200)}`, res);
    }

    const fives = [...statuses].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
    assert.equal(fives, 0, `seed ${seed}: ${fives} answers were 5xx, e.g.\n${failures.join('\n')}`);
    // The forms reach their handlers: none is refused by the CSRF check, and each is accepted or answered by its
    // handler (the form shown again with its problem) at least once.
    const report = JSON.stringify([...byForm].map(([action, counts]) => [action, [...counts]]));
    assert.ok(
      [...byForm.values()].every((counts) => !counts.has(403)),
      `a form was refused as forbidden: ${report}`,
    );
    const unreached = forms.filter((f) => ![200, 303, HANDLED].some((s) => byForm.get(f.action)?.has(s))).map((f) => f.action);
    assert.deepEqual(unreached, [], report);
  });
}
