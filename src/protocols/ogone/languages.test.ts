import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OGONE_LANGUAGES, canonicalLanguage, isOgoneLanguage, languageTag, pickTranslation } from './languages.ts';

describe('LANGUAGE', () => {
  it('accepts the platform\u2019s whole list, its own codes included, and the da_DK spelling of client libraries', () => {
    for (const code of ['dk_DK', 'no_NO', 'zh_CN', 'ar_AR', 'se_SE', 'he_IL', 'ko_KR', 'nl_BE', 'en_US', 'it_IT']) assert.ok(isOgoneLanguage(code), code);
    assert.equal(OGONE_LANGUAGES.length, 24);
    assert.ok(isOgoneLanguage('da_DK'));
    assert.equal(canonicalLanguage('da_DK'), 'dk_DK');
    for (const code of ['xx_XX', 'en', 'EN_US', 'en-US', 'it_it', '']) assert.equal(isOgoneLanguage(code), false, code);
  });

  it('writes the platform\u2019s own codes as BCP 47 tags of the language they stand for', () => {
    assert.equal(languageTag('dk_DK'), 'da-DK');
    assert.equal(languageTag('da_DK'), 'da-DK');
    assert.equal(languageTag('se_SE'), 'sv-SE');
    assert.equal(languageTag('no_NO'), 'nb-NO');
    assert.equal(languageTag('ar_AR'), 'ar');
    assert.equal(languageTag('zh_CN'), 'zh-CN');
    assert.equal(languageTag('it_IT'), 'it-IT');
    assert.equal(languageTag('garbage'), 'en');
    for (const code of OGONE_LANGUAGES) assert.doesNotThrow(() => Intl.getCanonicalLocales(languageTag(code)), code);
  });

  it('picks the translation: the same code, the same language elsewhere, else the fallback', () => {
    const available = ['en_US', 'it_IT', 'fr_FR', 'nl_NL'];
    assert.equal(pickTranslation('it_IT', available, 'en_US'), 'it_IT');
    assert.equal(pickTranslation('nl_BE', available, 'en_US'), 'nl_NL');
    assert.equal(pickTranslation('dk_DK', available, 'en_US'), 'en_US');
    assert.equal(pickTranslation('zh_CN', available, 'en_US'), 'en_US');
    assert.equal(pickTranslation('dk_DK', [...available, 'da_DK'], 'en_US'), 'da_DK', 'dk is Danish: a Danish translation would be found');
  });
});
