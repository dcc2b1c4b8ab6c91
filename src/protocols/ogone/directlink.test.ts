import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { htmlAnswer, ncResponseAttributes, writeNcResponse, xmlAttribute, type NcResponse } from './directlink.ts';
import { NC_ERROR, NC_ERROR_TEXT, ncStatusOf } from './ncerror.ts';

const capture: NcResponse = {
  orderId: 'order-1',
  payId: '3048326',
  payIdSub: '1',
  ncError: '0',
  ncErrorPlus: '!',
  acceptance: '',
  status: '91',
  amount: '1',
  currency: 'EUR',
  pm: 'CreditCard',
  brand: 'VISA',
};

test('the answer has the platform’s attributes in its order: PAYIDSUB after PAYID, NCSTATUS from NCERROR', () => {
  assert.deepEqual(
    ncResponseAttributes(capture).map(([n]) => n),
    ['orderID', 'PAYID', 'PAYIDSUB', 'NCSTATUS', 'NCERROR', 'NCERRORPLUS', 'ACCEPTANCE', 'STATUS', 'amount', 'currency', 'PM', 'BRAND'],
  );
  assert.equal(
    writeNcResponse(capture),
    '<?xml version="1.0"?><ncresponse\norderID="order-1"\nPAYID="3048326"\nPAYIDSUB="1"\nNCSTATUS="0"\nNCERROR="0"\nNCERRORPLUS="!"\nACCEPTANCE=""\nSTATUS="91"\namount="1"\ncurrency="EUR"\nPM="CreditCard"\nBRAND="VISA">\n</ncresponse>',
  );
  assert.equal(ncStatusOf('50001111'), '5');
  assert.equal(ncStatusOf('30051001'), '3');
  assert.equal(ncStatusOf('0'), '0');
});

test('values cannot break the XML: markup escaped, non-ASCII as references, forbidden characters replaced', () => {
  assert.equal(xmlAttribute('a"<b>&c'), 'a&quot;&lt;b&gt;&amp;c');
  assert.equal(xmlAttribute('é€😀'), '&#233;&#8364;&#128512;');
  assert.equal(xmlAttribute('x\u0001y'), 'x&#65533;y');
  const xml = writeNcResponse({ ...capture, orderId: '"/><evil a="' });
  assert.equal(xml.match(/<ncresponse/g)?.length, 1);
  assert.ok(!xml.includes('<evil'));
});

test('HTML_ANSWER is base64 of the HTML, as the child element of a 3-D Secure answer', () => {
  const html = '<form action="https://varco.example/3ds"></form>';
  const xml = writeNcResponse({ ...capture, status: '46', htmlAnswer: htmlAnswer(html) });
  const body = /<HTML_ANSWER>([A-Za-z0-9+/=]+)<\/HTML_ANSWER>/.exec(xml)?.[1] ?? '';
  assert.equal(Buffer.from(body, 'base64').toString('utf8'), html);
});

test('HTML_ANSWER is ASCII: other characters become numeric references, which read back as the text in any page charset', () => {
  const html = '<p>Non è attivo: premi “Continua” per l’autenticazione ✓ 🔒</p>';
  const bytes = Buffer.from(htmlAnswer(html), 'base64');
  assert.ok(bytes.every((b) => b < 0x80));
  const ascii = bytes.toString('ascii');
  assert.equal(ascii, '<p>Non &#232; attivo: premi &#8220;Continua&#8221; per l&#8217;autenticazione &#10003; &#128274;</p>');
  assert.equal(
    ascii.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))),
    html,
  );
  assert.equal(bytes.toString('latin1'), ascii, 'the same bytes read as ISO-8859-1');
});

test('every NCERROR has the platform’s text; success is "!"', () => {
  for (const code of Object.values(NC_ERROR)) assert.ok(NC_ERROR_TEXT[code].length > 0, code);
  assert.equal(NC_ERROR_TEXT['0'], '!');
  assert.equal(NC_ERROR_TEXT['50001113'], 'This order has already been processed');
});

test('docs/errors.md lists every NCERROR Varco answers, with the platform\u2019s text', async () => {
  const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  for (const code of Object.values(NC_ERROR).filter((c) => c !== '0')) {
    assert.ok(doc.includes(`| \`${code}\` | ${code[0]} | ${NC_ERROR_TEXT[code]} |`), `docs/errors.md: NCERROR ${code}`);
  }
});
