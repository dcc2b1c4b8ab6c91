// Realistic values for every pagoPA message Varco's codec handles, with the public specification's
// test data (EC 77777777777, station 77777777777_01, notice 311111111112222222, PSP AGID_01):
// each operation's request and response, OK and KO, optional elements all present and all absent.
import { ecErrorFault, ecFault, nodeFault, type Operation, type RequestOf, type ResponseOf } from '../../src/protocols/pagopa/index.ts';

export type RequestSample = { [O in Operation]: { name: string; operation: O; value: RequestOf<O> } }[Operation];
export type ResponseSample = { [O in Operation]: { name: string; operation: O; value: ResponseOf<O> } }[Operation];

export const EC = '77777777777';
export const STATION = '77777777777_01';
export const NOTICE = '311111111112222222';
export const IUV = '11111111112222222';

const psp = { idPSP: 'AGID_01', idBrokerPSP: '97735020584', idChannel: '97735020584_03', password: 'pwdpwdpwd' };
const station = { idPA: EC, idBrokerPA: EC, idStation: STATION };
const qrCode = { fiscalCode: EC, noticeNumber: NOTICE };
const metadata = {
  mapEntry: [
    { key: 'keytest', value: '1' },
    { key: 'anno', value: '2026' },
  ],
};
/** 140 characters, each two UTF-8 bytes: lengths are counted in characters, as the XSD does. */
const long140 = 'è'.repeat(140);

const person = {
  uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U' },
  fullName: 'Mario Rossi',
  streetName: 'Via del Corso',
  civicNumber: '12/B',
  postalCode: '00186',
  city: 'Roma',
  stateProvinceRegion: 'Lazio',
  country: 'IT',
  email: 'mario.rossi@example.it',
} as const;
const company = {
  uniqueIdentifier: { entityUniqueIdentifierType: 'G', entityUniqueIdentifierValue: '01234567890' },
  fullName: 'Rossi & Figli S.r.l.',
} as const;

const stamp = { hashDocumento: 'cXVlc3RvIMOoIHVuIGhhc2ggZGkgZXNlbXBpbw==', tipoBollo: '01', provinciaResidenza: 'RM' } as const;
const mbd = Buffer.from('<marcaDaBollo>esempio</marcaDaBollo>').toString('base64');

const koPsp = nodeFault('PPT_PAGAMENTO_DUPLICATO');
const koFull = ecErrorFault(ecFault('PAA_PAGAMENTO_SCADUTO', EC, 'Avviso scaduto il 2021-12-31 <oltre i termini> & non pagabile'), EC);
const koFullSerial = { ...koFull, serial: 2 };

const paymentPA = {
  creditorReferenceId: IUV,
  paymentAmount: 3000,
  dueDate: '2026-12-31',
  retentionDate: '2027-01-31T23:59:59',
  lastPayment: false,
  description: 'TARI 2026 – prima rata',
  companyName: 'Comune di Prova',
  officeName: 'Ufficio Tributi',
  debtor: person,
  transferList: {
    transfer: [
      {
        idTransfer: 1,
        transferAmount: 2000,
        fiscalCodePA: EC,
        IBAN: 'IT96R0123454321000000012345',
        remittanceInformation: 'TARI quota comunale',
        transferCategory: '0101100IM',
        metadata,
      },
      {
        idTransfer: 2,
        transferAmount: 1000,
        fiscalCodePA: '77777777778',
        IBAN: 'IT96R0123454321000000054321',
        remittanceInformation: 'TEFA quota provinciale',
        transferCategory: '0201102IM',
      },
    ],
  },
  metadata,
};
const paymentPAMin = {
  creditorReferenceId: IUV,
  paymentAmount: 1,
  dueDate: '2026-12-31',
  description: 'x',
  debtor: company,
  transferList: {
    transfer: [
      { idTransfer: 1, transferAmount: 1, fiscalCodePA: EC, IBAN: 'IT96R0123454321000000012345', remittanceInformation: 'r', transferCategory: '0101100IM' },
    ],
  },
};
const paymentPAV2 = {
  ...paymentPA,
  transferList: {
    transfer: [
      {
        idTransfer: 1,
        transferAmount: 2984,
        fiscalCodePA: EC,
        companyName: 'Comune di Prova',
        IBAN: 'IT96R0123454321000000012345',
        remittanceInformation: 'Diritti di segreteria',
        transferCategory: '0101100IM',
        metadata,
      },
      {
        idTransfer: 2,
        transferAmount: 16,
        fiscalCodePA: EC,
        richiestaMarcaDaBollo: stamp,
        remittanceInformation: 'Marca da bollo',
        transferCategory: '9/0301116TS/9/24B0060000000017',
      },
    ],
  },
};
const paymentPAV2Min = { ...paymentPAMin, companyName: 'Comune di Prova' };

const receiptHead = {
  receiptId: 'c110729d258c4ab1b765fe902aae41d6',
  noticeNumber: NOTICE,
  fiscalCode: EC,
  outcome: 'OK',
  creditorReferenceId: IUV,
  paymentAmount: 3000,
  description: 'TARI 2026 – prima rata',
  companyName: 'Comune di Prova',
  debtor: person,
} as const;
const receiptPsp = {
  idPSP: 'AGID_01',
  PSPCompanyName: 'AgID - Agenzia per l’Italia Digitale',
  idChannel: '97735020584_03',
  channelDescription: 'app',
} as const;
const receiptOptional = {
  officeName: 'Ufficio Tributi',
  pspFiscalCode: '97735020584',
  pspPartitaIVA: '97735020584',
  payer: company,
  paymentMethod: 'creditCard',
  fee: 150,
  paymentDateTime: '2026-03-01T17:48:22.123+01:00',
  applicationDate: '2026-03-01',
  transferDate: '2026-03-02',
  metadata,
  standIn: false,
} as const;

export const requestSamples: RequestSample[] = [
  { name: 'verifyPaymentNotice', operation: 'verifyPaymentNotice', value: { ...psp, qrCode } },
  { name: 'activatePaymentNotice minimal', operation: 'activatePaymentNotice', value: { ...psp, qrCode, amount: 3000 } },
  {
    name: 'activatePaymentNotice full',
    operation: 'activatePaymentNotice',
    value: {
      ...psp,
      idempotencyKey: 'AGID01_a1B2c3D4e5',
      qrCode,
      expirationTime: 60000,
      amount: 3000,
      dueDate: '2026-12-31',
      paymentNote: 'TARI & TEFA <2026>',
    },
  },
  { name: 'activatePaymentNoticeV2 minimal', operation: 'activatePaymentNoticeV2', value: { ...psp, qrCode, amount: 0 } },
  {
    name: 'activatePaymentNoticeV2 full',
    operation: 'activatePaymentNoticeV2',
    value: {
      ...psp,
      idempotencyKey: 'AGID01_a1B2c3D4e5',
      qrCode,
      expirationTime: 1_800_000,
      amount: 99_999_999_999,
      dueDate: '2028-02-29',
      paymentNote: long140,
      paymentMethod: 'CP',
      touchPoint: 'PSP',
    },
  },
  {
    name: 'sendPaymentOutcome KO minimal',
    operation: 'sendPaymentOutcome',
    value: { ...psp, paymentToken: 'c110729d258c4ab1b765fe902aae41d6', outcome: 'KO' },
  },
  {
    name: 'sendPaymentOutcome OK full',
    operation: 'sendPaymentOutcome',
    value: {
      ...psp,
      idempotencyKey: 'AGID01_a1B2c3D4e5',
      paymentToken: 'c110729d258c4ab1b765fe902aae41d6',
      outcome: 'OK',
      details: { paymentMethod: 'creditCard', paymentChannel: 'app', fee: 150, payer: person, applicationDate: '2026-03-01', transferDate: '2026-03-02' },
    },
  },
  {
    name: 'sendPaymentOutcome OK details minimal',
    operation: 'sendPaymentOutcome',
    value: { ...psp, paymentToken: 't', outcome: 'OK', details: { paymentMethod: 'cash', fee: 0, applicationDate: '2026-03-01', transferDate: '2026-03-01' } },
  },
  {
    name: 'sendPaymentOutcomeV2 KO minimal',
    operation: 'sendPaymentOutcomeV2',
    value: { ...psp, paymentTokens: { paymentToken: ['c110729d258c4ab1b765fe902aae41d6'] }, outcome: 'KO' },
  },
  {
    name: 'sendPaymentOutcomeV2 OK full',
    operation: 'sendPaymentOutcomeV2',
    value: {
      ...psp,
      idempotencyKey: 'AGID01_a1B2c3D4e5',
      paymentTokens: { paymentToken: ['d221820d258c4ab1b765fe902aae6d14', 'c110729d258c4ab1b765fe902aae41d6'] },
      outcome: 'OK',
      details: {
        paymentMethod: 'other',
        paymentChannel: 'onLine',
        fee: 200,
        primaryCiIncurredFee: 50,
        idBundle: 'bundle-1',
        idCiBundle: 'ci-bundle-2',
        payer: person,
        applicationDate: '2026-03-01',
        transferDate: '2026-03-02',
        marcheDaBollo: { marcaDaBollo: [{ paymentToken: 'c110729d258c4ab1b765fe902aae41d6', idTransfer: 2, MBDAttachment: mbd }] },
      },
    },
  },
  { name: 'paVerifyPaymentNotice', operation: 'paVerifyPaymentNotice', value: { ...station, qrCode } },
  { name: 'paGetPayment minimal', operation: 'paGetPayment', value: { ...station, qrCode } },
  {
    name: 'paGetPayment full',
    operation: 'paGetPayment',
    value: { ...station, qrCode, amount: 3000, paymentNote: 'nota', transferType: 'PAGOPA', dueDate: '2026-12-31' },
  },
  { name: 'paGetPaymentV2 minimal', operation: 'paGetPaymentV2', value: { ...station, qrCode } },
  {
    name: 'paGetPaymentV2 full',
    operation: 'paGetPaymentV2',
    value: { ...station, qrCode, amount: 3000, paymentNote: 'nota', transferType: 'POSTAL', dueDate: '2026-12-31' },
  },
  {
    name: 'paSendRT minimal',
    operation: 'paSendRT',
    value: { ...station, receipt: { ...receiptHead, debtor: company, transferList: paymentPAMin.transferList, paymentAmount: 1, ...receiptPsp } },
  },
  {
    name: 'paSendRT full',
    operation: 'paSendRT',
    value: { ...station, receipt: { ...receiptHead, ...receiptOptional, transferList: paymentPA.transferList, ...receiptPsp } },
  },
  {
    name: 'paSendRTV2 minimal',
    operation: 'paSendRTV2',
    value: {
      ...station,
      receipt: {
        ...receiptHead,
        paymentAmount: 16,
        transferList: {
          transfer: [
            {
              idTransfer: 1,
              transferAmount: 16,
              fiscalCodePA: EC,
              MBDAttachment: mbd,
              remittanceInformation: 'Marca da bollo',
              transferCategory: '9/0301116TS/9/24B0060000000017',
            },
          ],
        },
        ...receiptPsp,
      },
    },
  },
  {
    name: 'paSendRTV2 full',
    operation: 'paSendRTV2',
    value: {
      ...station,
      receipt: {
        ...receiptHead,
        ...receiptOptional,
        paymentNote: 'carrello 42',
        primaryCiIncurredFee: 50,
        idBundle: 'bundle-1',
        idCiBundle: 'ci-bundle-2',
        ...receiptPsp,
        transferList: {
          transfer: [
            {
              idTransfer: 1,
              transferAmount: 2984,
              fiscalCodePA: EC,
              companyName: 'Comune di Prova',
              IBAN: 'IT96R0123454321000000012345',
              remittanceInformation: 'Diritti',
              transferCategory: '0101100IM',
              metadata,
            },
            {
              idTransfer: 2,
              transferAmount: 16,
              fiscalCodePA: EC,
              MBDAttachment: mbd,
              remittanceInformation: 'Marca da bollo',
              transferCategory: '9/0301116TS/9/24B0060000000017',
            },
          ],
        },
      },
    },
  },
];

const transferPsp = {
  idTransfer: 1,
  transferAmount: 2000,
  fiscalCodePA: EC,
  IBAN: 'IT96R0123454321000000012345',
  remittanceInformation: 'TARI quota comunale',
};

export const responseSamples: ResponseSample[] = [
  {
    name: 'verifyPaymentNotice OK full',
    operation: 'verifyPaymentNotice',
    value: {
      outcome: 'OK',
      paymentList: { paymentOptionDescription: [{ amount: 3000, options: 'EQ', dueDate: '2026-12-31', paymentNote: 'TARI 2026' }] },
      paymentDescription: 'TARI 2026 – prima rata',
      fiscalCodePA: EC,
      companyName: 'Comune di Prova & Co. <Ufficio> "Tributi"',
      officeName: 'Ufficio Tributi',
      standin: false,
    },
  },
  {
    name: 'verifyPaymentNotice OK minimal',
    operation: 'verifyPaymentNotice',
    value: { outcome: 'OK', paymentList: { paymentOptionDescription: [{ amount: 1, options: 'ANY' }] } },
  },
  { name: 'verifyPaymentNotice KO', operation: 'verifyPaymentNotice', value: { outcome: 'KO', fault: koPsp } },
  { name: 'verifyPaymentNotice KO full fault', operation: 'verifyPaymentNotice', value: { outcome: 'KO', fault: koFullSerial } },
  {
    name: 'activatePaymentNotice OK full',
    operation: 'activatePaymentNotice',
    value: {
      outcome: 'OK',
      totalAmount: 3000,
      paymentDescription: 'TARI 2026',
      fiscalCodePA: EC,
      companyName: 'Comune di Prova',
      officeName: 'Ufficio Tributi',
      paymentToken: 'c110729d258c4ab1b765fe902aae41d6',
      transferList: {
        transfer: [
          { ...transferPsp, metadata },
          { ...transferPsp, idTransfer: 2, transferAmount: 1000, fiscalCodePA: '77777777778' },
        ],
      },
      creditorReferenceId: IUV,
      standin: true,
    },
  },
  {
    name: 'activatePaymentNotice OK minimal',
    operation: 'activatePaymentNotice',
    value: { outcome: 'OK', totalAmount: 2000, paymentToken: 't', transferList: { transfer: [transferPsp] } },
  },
  {
    name: 'activatePaymentNotice KO',
    operation: 'activatePaymentNotice',
    value: { outcome: 'KO', fault: nodeFault('PPT_PAGAMENTO_IN_CORSO', 'token attivo fino alle 10:30') },
  },
  {
    name: 'activatePaymentNoticeV2 OK full',
    operation: 'activatePaymentNoticeV2',
    value: {
      outcome: 'OK',
      totalAmount: 3000,
      paymentDescription: 'Pratica edilizia',
      fiscalCodePA: EC,
      companyName: 'Comune di Prova',
      officeName: 'SUE',
      paymentToken: 'c110729d258c4ab1b765fe902aae41d6',
      transferList: {
        transfer: [
          {
            idTransfer: 1,
            transferAmount: 2000,
            fiscalCodePA: EC,
            companyName: 'Comune di Prova',
            IBAN: 'IT96R0123454321000000012345',
            remittanceInformation: 'Diritti',
            transferCategory: '0101100IM',
            metadata,
          },
          { idTransfer: 2, transferAmount: 984, fiscalCodePA: '77777777778', remittanceInformation: 'Quota senza IBAN' },
          {
            idTransfer: 3,
            transferAmount: 16,
            fiscalCodePA: EC,
            richiestaMarcaDaBollo: stamp,
            remittanceInformation: 'Marca da bollo',
            transferCategory: '9/0301116TS/9/24B0060000000017',
          },
        ],
      },
      metadata,
      creditorReferenceId: IUV,
      suggestedUserFee: 100,
      suggestedPaFee: 50,
      suggestedIdBundle: 'bundle-1',
      suggestedIdCiBundle: 'ci-bundle-2',
      allCCP: true,
      standin: false,
    },
  },
  {
    name: 'activatePaymentNoticeV2 OK minimal',
    operation: 'activatePaymentNoticeV2',
    value: { outcome: 'OK', totalAmount: 2000, paymentToken: 't', transferList: { transfer: [transferPsp] } },
  },
  { name: 'activatePaymentNoticeV2 KO', operation: 'activatePaymentNoticeV2', value: { outcome: 'KO', fault: koFull } },
  { name: 'sendPaymentOutcome OK', operation: 'sendPaymentOutcome', value: { outcome: 'OK' } },
  { name: 'sendPaymentOutcome KO', operation: 'sendPaymentOutcome', value: { outcome: 'KO', fault: nodeFault('PPT_TOKEN_SCADUTO_KO') } },
  { name: 'sendPaymentOutcomeV2 OK', operation: 'sendPaymentOutcomeV2', value: { outcome: 'OK' } },
  { name: 'sendPaymentOutcomeV2 KO', operation: 'sendPaymentOutcomeV2', value: { outcome: 'KO', fault: nodeFault('PPT_ESITO_GIA_ACQUISITO', undefined, 1) } },
  {
    name: 'paVerifyPaymentNotice OK full',
    operation: 'paVerifyPaymentNotice',
    value: {
      outcome: 'OK',
      paymentList: { paymentOptionDescription: { amount: 3000, options: 'EQ', dueDate: '2026-12-31', detailDescription: 'TARI', allCCP: false } },
      paymentDescription: 'TARI 2026',
      fiscalCodePA: EC,
      companyName: 'Comune di Prova',
      officeName: 'Ufficio Tributi',
    },
  },
  {
    name: 'paVerifyPaymentNotice OK minimal',
    operation: 'paVerifyPaymentNotice',
    value: { outcome: 'OK', paymentList: { paymentOptionDescription: { amount: 1, options: 'GT', allCCP: true } } },
  },
  { name: 'paVerifyPaymentNotice KO', operation: 'paVerifyPaymentNotice', value: { outcome: 'KO', fault: ecFault('PAA_PAGAMENTO_SCONOSCIUTO', EC) } },
  { name: 'paGetPayment OK full', operation: 'paGetPayment', value: { outcome: 'OK', data: paymentPA } },
  { name: 'paGetPayment OK minimal', operation: 'paGetPayment', value: { outcome: 'OK', data: paymentPAMin } },
  { name: 'paGetPayment KO', operation: 'paGetPayment', value: { outcome: 'KO', fault: ecFault('PAA_PAGAMENTO_ANNULLATO', EC, 'annullato') } },
  { name: 'paGetPaymentV2 OK full', operation: 'paGetPaymentV2', value: { outcome: 'OK', data: paymentPAV2 } },
  { name: 'paGetPaymentV2 OK minimal', operation: 'paGetPaymentV2', value: { outcome: 'OK', data: paymentPAV2Min } },
  { name: 'paGetPaymentV2 KO', operation: 'paGetPaymentV2', value: { outcome: 'KO', fault: ecFault('PAA_SYSTEM_ERROR', EC) } },
  { name: 'paSendRT OK', operation: 'paSendRT', value: { outcome: 'OK' } },
  { name: 'paSendRT KO', operation: 'paSendRT', value: { outcome: 'KO', fault: ecFault('PAA_RECEIPT_DUPLICATA', EC) } },
  { name: 'paSendRTV2 OK', operation: 'paSendRTV2', value: { outcome: 'OK' } },
  { name: 'paSendRTV2 KO', operation: 'paSendRTV2', value: { outcome: 'KO', fault: ecFault('PAA_SEMANTICA', EC, 'importo errato') } },
];
