// LANGUAGE (issue 13): every value of the platform's list is accepted and kept as sent; the page is
// shown in its translation when Varco has one (it, fr, de, nl — nl_BE reads Dutch), in English
// otherwise, and says so in <html lang>; the error page follows the same rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, payLocation, postEntry, signedOrder } from '../support/ecommerce.ts';
import { OGONE_LANGUAGES } from '../../src/protocols/ogone/index.ts';

const t = await buildTestApp();
const { app } = t;
const db = t.database.db;

/** The card-number label of each translation, as the page shows it. */
const LABELS: Record<string, RegExp> = {
  en: /<label for="card-number">Card number/,
  it: /<label for="card-number">Numero della carta/,
  fr: /<label for="card-number">Numéro de carte/,
  de: /<label for="card-number">Kartennummer/,
  nl: /<label for="card-number">Kaartnummer/,
};
const SHOWN: Record<string, [lang: string, label: string]> = {
  it_IT: ['it-IT', 'it'],
  fr_FR: ['fr-FR', 'fr'],
  de_DE: ['de-DE', 'de'],
  nl_NL: ['nl-NL', 'nl'],
  nl_BE: ['nl-NL', 'nl'],
};

describe('LANGUAGE on the hosted page', () => {
  it('accepts every value of the platform\u2019s list (dk_DK, no_NO, zh_CN, ar_AR…), keeps it on the order, and shows its translation or English', async () => {
    const m = await createMerchant(t);
    for (const language of [...OGONE_LANGUAGES, 'da_DK']) {
      const pay = payLocation(await postEntry(app, signedOrder(m, `lang-${language}`, [['LANGUAGE', language]])));
      const row = await db.selectFrom('orders').select('language').where('id', '=', pay.orderId).executeTakeFirstOrThrow();
      assert.equal(row.language, language, 'kept as sent');
      const page = (await app.inject({ url: pay.path })).body;
      const [lang, label] = SHOWN[language] ?? ['en-US', 'en'];
      assert.match(page, new RegExp(`<html lang="${lang}">`), language);
      assert.match(page, LABELS[label] ?? /never/, `${language} is shown in ${label}`);
    }
  });

  it('Danish (dk_DK) falls back to English, figures included; Italian is Italian', async () => {
    const m = await createMerchant(t);
    const dk = payLocation(
      await postEntry(
        app,
        signedOrder(m, 'lang-dk', [
          ['LANGUAGE', 'dk_DK'],
          ['AMOUNT', '123456'],
        ]),
      ),
    );
    const page = (await app.inject({ url: dk.path })).body;
    assert.match(page, /€1,234\.56/);
    const it = payLocation(
      await postEntry(
        app,
        signedOrder(m, 'lang-it', [
          ['LANGUAGE', 'it_IT'],
          ['AMOUNT', '123456'],
        ]),
      ),
    );
    assert.match((await app.inject({ url: it.path })).body, /Importo totale<\/th><td>1\.?234,56\s€/, 'Italian format (CLDR groups from five digits)');
  });

  it('an unknown LANGUAGE is en_US, and the error page speaks the request\u2019s language when it is on the list', async () => {
    const m = await createMerchant(t);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'lang-xx', [['LANGUAGE', 'xx_XX']])));
    const row = await db.selectFrom('orders').select('language').where('id', '=', pay.orderId).executeTakeFirstOrThrow();
    assert.equal(row.language, 'en_US');
    const refused = (language: string) =>
      postEntry(app, [
        ['PSPID', m.pspid],
        ['ORDERID', `bad-${language}`],
        ['AMOUNT', '1500'],
        ['CURRENCY', 'EUR'],
        ['LANGUAGE', language],
        ['SHASIGN', 'BAD'],
      ]);
    const italian = await refused('it_IT');
    assert.equal(italian.statusCode, 200);
    assert.match(italian.body, /<html lang="it-IT">[\s\S]*Si è verificato un errore/);
    assert.match((await refused('dk_DK')).body, /<html lang="en-US">[\s\S]*An error has occurred/);
  });
});
