import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkItalianTaxCode, checkOtherTaxCode, checkTaxCode } from './organisation.policy.ts';

test('Italian tax codes: 11 digits with a valid check digit', () => {
  // Published numbers: Agenzia delle Entrate 06363391001, Banca d'Italia 00950501007, PagoPA S.p.A. 15376371009.
  for (const valid of ['06363391001', '00950501007', '15376371009']) assert.equal(checkItalianTaxCode(valid), undefined, valid);
  assert.equal(checkItalianTaxCode('06363391002'), 'italian_check_digit');
  assert.equal(checkItalianTaxCode('0636339100'), 'italian_format');
  assert.equal(checkItalianTaxCode('0636339100A'), 'italian_format');
  assert.equal(checkItalianTaxCode('RSSMRA80A01H501U'), 'italian_format');
});

test('other identifiers are free but of sensible shape', () => {
  assert.equal(checkOtherTaxCode('DE123456789'), undefined);
  assert.equal(checkOtherTaxCode('FR 12 345678901'), undefined);
  assert.equal(checkOtherTaxCode('<script>'), 'other_format');
  assert.equal(checkOtherTaxCode(''), 'other_format');
  assert.equal(checkTaxCode('other', 'x'.repeat(41)), 'other_format');
  assert.equal(checkTaxCode('it', '15376371009'), undefined);
});
