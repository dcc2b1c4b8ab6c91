import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAIL_TEMPLATE_NAMES, MAIL_TEMPLATE_PARAMS, parseEmailPayload, SEND_TIME_PARAMS } from '../../src/modules/delivery/index.ts';
import { MAIL_WORDING, renderMail } from '../../src/views/mail/index.ts';
import { linkify } from '../../src/views/admin/mail.ts';

// Every template, in both languages: a one-line subject, a text part and an HTML part that say
// every parameter, with the parameters escaped in HTML. The parameters rendered are the stored ones
// and those made at send time (an invitation's link), less the invitation's id, from which the
// sender makes the link and which the wording does not say.
const NOT_WORDED = new Set(['invitationId', 'resetId']);

test('the views word exactly the templates the delivery module accepts', () => {
  assert.deepEqual(Object.keys(MAIL_WORDING).sort(), [...MAIL_TEMPLATE_NAMES].sort());
});

for (const template of MAIL_TEMPLATE_NAMES) {
  test(`${template}: Italian and English, every parameter in text and (escaped) in HTML`, () => {
    const names = [...MAIL_TEMPLATE_PARAMS[template], ...(SEND_TIME_PARAMS[template] ?? [])].filter((name) => !NOT_WORDED.has(name));
    const params = Object.fromEntries(names.map((name) => [name, `<i>${name}</i>&"x"`]));
    const rendered = { en: renderMail(template, 'en', params), it: renderMail(template, 'it', params) };
    assert.notEqual(rendered.en.subject, rendered.it.subject, 'the Italian subject is translated');
    assert.notEqual(rendered.en.text, rendered.it.text, 'the Italian text is translated');
    for (const [locale, mail] of Object.entries(rendered)) {
      assert.ok(mail.subject.length > 5 && !/[\r\n]/.test(mail.subject), `${locale} subject`);
      assert.match(mail.html, new RegExp(`<html lang="${locale}">`));
      assert.ok(!mail.html.includes('<i>'), `${locale}: a parameter reached the HTML unescaped`);
      for (const [name, value] of Object.entries(params)) {
        assert.ok(mail.text.includes(value), `${locale} text lacks ${name}`);
        assert.ok(mail.html.includes(`&lt;i&gt;${name}&lt;/i&gt;&amp;&quot;x&quot;`), `${locale} HTML lacks ${name}`);
      }
    }
  });
}

test('a subject stays one header line whatever the parameters hold', () => {
  const mail = renderMail('subscription_approved', 'en', {
    firstName: 'A',
    organisationName: 'B',
    productName: 'C',
    environment: 'test',
    subscriptionName: 'x\r\nBcc: victim@example.org',
    link: 'https://varco.test/',
  });
  assert.ok(!/[\r\n]/.test(mail.subject));
});

test('only http(s) links become anchors in the HTML part', () => {
  const base = { firstName: 'A', organisationName: 'B', expiresAt: '2026-11-25T10:00:00Z' };
  assert.match(
    renderMail('invitation', 'en', { ...base, link: 'https://varco.test/portal/invitation?token=t' }).html,
    /href="https:\/\/varco\.test\/portal\/invitation\?token=t"/,
  );
  const hostile = renderMail('invitation', 'en', { ...base, link: 'javascript:alert(1)' });
  assert.ok(!hostile.html.includes('href="javascript:'));
});

test('the Mail page makes web addresses in a text clickable and escapes the rest', () => {
  const out = linkify('Open https://varco.test/a?x=1&y=2. Or <b>not</b> javascript:alert(1)').value;
  assert.equal(
    out,
    'Open <a href="https://varco.test/a?x=1&amp;y=2" rel="noopener noreferrer">https://varco.test/a?x=1&amp;y=2</a>. Or &lt;b&gt;not&lt;/b&gt; javascript:alert(1)',
  );
});

test('an e-mail queued before its template gained a parameter is still read (the parameter empty), not lost', () => {
  const stored = {
    to: 'rita@org.test',
    template: 'subscription_suspended',
    locale: 'it',
    params: { firstName: 'Rita', organisationName: 'Banca', productName: 'Node', environment: 'prod', subscriptionName: 'node-prod', link: 'https://v/x' },
  };
  const read = parseEmailPayload(stored);
  assert.equal(read.params.comment, '');
  assert.doesNotMatch(renderMail(read.template, read.locale, read.params).text, /Motivo/);
  assert.equal(parseEmailPayload({ ...stored, params: { ...stored.params, comment: 'Frode' } }).params.comment, 'Frode');
  // A parameter that is not new is still required.
  assert.throws(() => parseEmailPayload({ ...stored, params: { ...stored.params, firstName: undefined } }), /needs the parameter "firstName"/);
});
