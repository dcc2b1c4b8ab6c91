// Pure validation of organisation data.

export const ORGANISATION_TYPES = ['creditor_institution', 'psp', 'merchant', 'technology_partner'] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export type TaxCodeProblem = 'italian_format' | 'italian_check_digit' | 'other_format';

/**
 * Italian entities have an 11-digit tax code / VAT number (codice fiscale numerico, partita IVA)
 * whose last digit is a Luhn-style check digit; a typo is caught here, before anything is saved.
 */
export function checkItalianTaxCode(code: string): TaxCodeProblem | undefined {
  if (!/^\d{11}$/.test(code)) return 'italian_format';
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const digit = Number(code[i]);
    if (i % 2 === 0) sum += digit;
    else sum += digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
  }
  const check = (10 - (sum % 10)) % 10;
  return check === Number(code[10]) ? undefined : 'italian_check_digit';
}

/** Foreign organisations: a free identifier (VAT, LEI, registry number) of sensible shape. */
export function checkOtherTaxCode(code: string): TaxCodeProblem | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9 ./-]{1,39}$/.test(code) ? undefined : 'other_format';
}

export function checkTaxCode(kind: 'it' | 'other', code: string): TaxCodeProblem | undefined {
  return kind === 'it' ? checkItalianTaxCode(code) : checkOtherTaxCode(code);
}
