/**
 * Published SHA test vectors as data (test fixture). Human-readable copy with sources:
 * docs/reference/ogone/test-vectors.md. `derived` digests are not printed by the source but
 * follow from its published rule; they are kept to cover every algorithm.
 */
import type { HashingMethod, ShaAlgorithm, ShaParams } from './sha.ts';
import type { ShaList } from './params.ts';

export interface ShaVector {
  readonly id: string;
  readonly source: string;
  readonly list: ShaList;
  readonly method: HashingMethod;
  /** Names keep the casing the source used (feedback uses `orderID`, `amount`, `currency`). */
  readonly params: ShaParams;
  readonly passphrase: string;
  /** The exact string to hash, where the source prints it or it follows directly. */
  readonly composed: string;
  readonly digests: Readonly<Partial<Record<ShaAlgorithm, { readonly hex: string; readonly derived: boolean }>>>;
}

const OGONE_P = 'Mysecretsig1875!?';

function pairsWith(passphrase: string, pairs: readonly string[]): string {
  return pairs.map((p) => p + passphrase).join('');
}

export const SHA_VECTORS: readonly ShaVector[] = [
  {
    id: 'A1',
    source: 'Ogone e-Commerce Advanced guide v5.4.4 §11.1 / Basic guide v3.3 §6.2.1; SHA-512 prefix on b2u.eu',
    list: 'in',
    method: 'each-parameter',
    params: [
      ['AMOUNT', '1500'],
      ['CURRENCY', 'EUR'],
      ['LANGUAGE', 'en_US'],
      ['ORDERID', '1234'],
      ['PSPID', 'MyPSPID'],
    ],
    passphrase: OGONE_P,
    composed: pairsWith(OGONE_P, ['AMOUNT=1500', 'CURRENCY=EUR', 'LANGUAGE=en_US', 'ORDERID=1234', 'PSPID=MyPSPID']),
    digests: {
      sha1: { hex: 'F4CC376CD7A834D997B91598FA747825A238BE0A', derived: false },
      sha256: { hex: 'E019359BAA3456AE5A986B6AABD22CF1B3E09438739E97F17A7F61DF5A11B30F', derived: true },
      // Only the first 32 hex digits are published (b2u.eu); the rest follows from the rule.
      sha512: {
        hex: 'D1CFE8833A297D0922E908B2B44934B09EE966EF1584DC0D696304E07BB58BA71973C2383C831D878D8A243BB7D7DFFFBE53CEE21955CDFEF44FE82E551F859D',
        derived: true,
      },
    },
  },
  {
    id: 'A2',
    source: 'Ogone e-Commerce Advanced guide v5.4.4 §11.2 / Basic guide v3.3 §9.3',
    list: 'out',
    method: 'each-parameter',
    params: [
      ['ACCEPTANCE', '1234'],
      ['amount', '15'],
      ['BRAND', 'VISA'],
      ['CARDNO', 'XXXXXXXXXXXX1111'],
      ['currency', 'EUR'],
      ['NCERROR', '0'],
      ['orderID', '12'],
      ['PAYID', '32100123'],
      ['PM', 'CreditCard'],
      ['STATUS', '9'],
    ],
    passphrase: OGONE_P,
    composed: pairsWith(OGONE_P, [
      'ACCEPTANCE=1234',
      'AMOUNT=15',
      'BRAND=VISA',
      'CARDNO=XXXXXXXXXXXX1111',
      'CURRENCY=EUR',
      'NCERROR=0',
      'ORDERID=12',
      'PAYID=32100123',
      'PM=CreditCard',
      'STATUS=9',
    ]),
    digests: {
      sha1: { hex: '209113288F93A9AB8E474EA78D899AFDBB874355', derived: false },
      sha256: { hex: 'C1500A19AC0A18216073A8B9952A54919C8A5C7B06F0ADAD6A59FC3EC7472A49', derived: true },
      sha512: {
        hex: 'C1F832D7620282B07E199F25A9C6AD94EAE264359012C5374B9A33D5A9C2C9C7104A0FE600EB3401E95CE3050E684BEF040DAAE5877FAFA312C63B9556F68878',
        derived: true,
      },
    },
  },
  {
    id: 'B1',
    source: 'marlon-be/marlon-ogone tests/Ogone/Tests/ShaComposer/AllParametersShaComposerTest.php (createMinimalParameterSet)',
    list: 'out',
    method: 'each-parameter',
    params: [
      ['currency', 'EUR'],
      ['ACCEPTANCE', '1234'],
      ['amount', '15'],
      ['BRAND', 'VISA'],
      ['CARDNO', 'xxxxxxxxxxxx1111'],
      ['NCERROR', '0'],
      ['PAYID', '32100123'],
      ['PM', 'CreditCard'],
      ['STATUS', '9'],
      ['orderID', '12'],
      ['unknownparam', 'some value'],
    ],
    passphrase: OGONE_P,
    composed: pairsWith(OGONE_P, [
      'ACCEPTANCE=1234',
      'AMOUNT=15',
      'BRAND=VISA',
      'CARDNO=xxxxxxxxxxxx1111',
      'CURRENCY=EUR',
      'NCERROR=0',
      'ORDERID=12',
      'PAYID=32100123',
      'PM=CreditCard',
      'STATUS=9',
    ]),
    digests: {
      sha1: { hex: 'B209960D5703DD1047F95A0F97655FFE5AC8BD52', derived: false },
      sha256: { hex: 'FD15F9371F2B42E3CAEC53BF2576AC89AAEBF53FD8FBA8F0B2EA13EAA823189D', derived: false },
      sha512: {
        hex: '5377F95D498947BECC23E02C2C7DDE182EE1221F1A6629B091110DF653FE0C32FCACF5F9B87B4C5168FC12B7183095623750004355DE938A2B8DECC6DB6D9F62',
        derived: false,
      },
    },
  },
  {
    id: 'B3',
    source: 'marlon-be/marlon-ogone tests/Ogone/Tests/ShaComposer/LegacyShaComposerTest.php',
    list: 'out',
    method: 'main-parameters',
    params: [
      ['ACCEPTANCE', 'test123'],
      ['AMOUNT', '19.08'],
      ['BRAND', 'VISA'],
      ['CARDNO', 'XXXXXXXXXXXX1111'],
      ['CN', 'Marlon'],
      ['CURRENCY', 'EUR'],
      ['ED', '0113'],
      ['IP', '81.82.214.142'],
      ['NCERROR', '0'],
      ['ORDERID', '2101947639'],
      ['PAYID', '10673859'],
      ['PM', 'CreditCard'],
      ['STATUS', '5'],
      ['TRXDATE', '07/05/11'],
    ],
    passphrase: 'passphrase-set-in-ogone-interface',
    composed: '2101947639EUR19.08CreditCardtest1235XXXXXXXXXXXX1111106738590VISApassphrase-set-in-ogone-interface',
    digests: {
      sha1: { hex: '66BF34D8B3EF2136E0C267BDBC1F708B8D75A8AA', derived: false },
      sha256: { hex: '882D85FCCC6112A33D3B8A571C11723CAA6B642EED70843B35B15ABA0C2AD637', derived: false },
      sha512: {
        hex: '8552200DD108CB5633A27D6D0A1FAB54378CB2385BFCEB27487992D16F5A7565E5DD4D38C0F2DB294213CD02E434F311021749E6DAB187357F786E3F199781CA',
        derived: false,
      },
    },
  },
  {
    id: 'B3-in',
    source: 'derived companion of B3: legacy SHA-IN rule ORDERID+AMOUNT+CURRENCY+PSPID+passphrase on A1 data',
    list: 'in',
    method: 'main-parameters',
    params: [
      ['AMOUNT', '1500'],
      ['CURRENCY', 'EUR'],
      ['LANGUAGE', 'en_US'],
      ['ORDERID', '1234'],
      ['PSPID', 'MyPSPID'],
    ],
    passphrase: OGONE_P,
    composed: `12341500EURMyPSPID${OGONE_P}`,
    digests: { sha1: { hex: 'DC60B48E780C38137EB5B86CEC037427062B30CC', derived: true } },
  },
  {
    id: 'B11',
    source: 'ETSGlobal/ETSPaymentOgoneBundle Tests/Hash/Sha1OutTest.php',
    list: 'out',
    method: 'each-parameter',
    params: [
      ['PayId', '123456'],
      ['CURRENCY', 'EUR'],
      ['NCERROR', '0'],
      ['BRAND', ''],
    ],
    passphrase: 'passphrase',
    composed: 'CURRENCY=EURpassphraseNCERROR=0passphrasePAYID=123456passphrase',
    digests: { sha1: { hex: '236FC768128A1104F949912E67ADFD4F2ED54341', derived: false } },
  },
];
