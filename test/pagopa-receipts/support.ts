import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Services } from '../../src/app/container.ts';
import type { Database } from '../../src/db/index.ts';
import type { PaidPayment } from '../../src/modules/pagopa-receipts/index.ts';
import type { PaymentPA, PaymentPAV2, SendPaymentOutcomeReq, SendPaymentOutcomeV2Request } from '../../src/protocols/pagopa/index.ts';
import { newPaymentToken } from '../../src/protocols/pagopa/index.ts';
import { connectEcStation, startEcStation, type EcStation, type EcStationOptions } from '../support/ec-station.ts';
import { requestSamples, responseSamples } from '../support/pagopa-samples.ts';
import { CLI } from '../support/subscriptions.ts';
import { createEc } from '../pagopa-simulator/support.ts';

// Paid payments as the node will hand them to `schedule` (the node is not on this branch): the
// codec's sample answers of paGetPayment[V2] and sample outcomes of sendPaymentOutcome[V2], with
// the fiscal codes of the test's own institutions; and creditor institutions with a real station.

const sample = <T>(list: ReadonlyArray<{ name: string; value: unknown }>, name: string): T => {
  const found = list.find((s) => s.name === name);
  if (!found) throw new Error(`no sample ${name}`);
  return structuredClone(found.value) as T;
};

type V1Details = NonNullable<SendPaymentOutcomeReq['details']>;
type V2Details = NonNullable<SendPaymentOutcomeV2Request['details']>;
const MBD = Buffer.from('<marcaDaBollo>esempio</marcaDaBollo>').toString('base64');

/** paGetPayment's full sample (two transfers) or minimal one (one transfer, no company name), for these institutions. */
export function paymentV1(primary: string, other: string | undefined, minimal = false): PaymentPA {
  const data = sample<{ data: PaymentPA }>(responseSamples, minimal ? 'paGetPayment OK minimal' : 'paGetPayment OK full').data;
  const transfers = data.transferList.transfer.map((t, i) => ({ ...t, fiscalCodePA: i === 0 ? primary : (other ?? primary) }));
  return { ...data, transferList: { transfer: transfers } };
}

/** paGetPaymentV2's full sample: an IBAN transfer and a stamp duty; with `other`, a third transfer to it (30.00 € in all). */
export function paymentV2(primary: string, other?: string): PaymentPAV2 {
  const data = sample<{ data: PaymentPAV2 }>(responseSamples, 'paGetPaymentV2 OK full').data;
  const [iban, stamp] = data.transferList.transfer;
  assert.ok(iban && stamp);
  if (other === undefined)
    return {
      ...data,
      transferList: {
        transfer: [
          { ...iban, fiscalCodePA: primary },
          { ...stamp, fiscalCodePA: primary },
        ],
      },
    };
  return {
    ...data,
    paymentAmount: 3000,
    transferList: {
      transfer: [
        { ...iban, fiscalCodePA: primary, transferAmount: 2000 },
        {
          idTransfer: 2,
          transferAmount: 984,
          fiscalCodePA: other,
          companyName: 'Provincia di Prova',
          IBAN: 'IT96R0123454321000000054321',
          remittanceInformation: 'TEFA',
          transferCategory: '0201102IM',
        },
        { ...stamp, fiscalCodePA: primary, idTransfer: 3 },
      ],
    },
  };
}

export function detailsV1(): V1Details {
  return sample<{ details: V1Details }>(requestSamples, 'sendPaymentOutcome OK full').details;
}

/** sendPaymentOutcomeV2's full details, its stamp (MBDAttachment) for this token's stamp-duty transfer. */
export function detailsV2(token: string, idTransfer: number): V2Details {
  const details = sample<{ details: V2Details }>(requestSamples, 'sendPaymentOutcomeV2 OK full').details;
  return { ...details, marcheDaBollo: { marcaDaBollo: [{ paymentToken: token, idTransfer, MBDAttachment: MBD }] } };
}

export const PSP = {
  idPSP: 'AGID_01',
  idBrokerPSP: '97735020584',
  idChannel: '97735020584_03',
  companyName: 'AgID - Agenzia per l\u2019Italia Digitale',
} as const;

/** An 18-digit notice number of aux digit 3, segregation code 11. */
export const noticeNumber = (): string => `311${String(Math.floor(Math.random() * 1e15)).padStart(15, '0')}`;

export interface PaidInput {
  version: 1 | 2;
  fiscalCode: string;
  ecOrganisationId: string;
  pspOrganisationId: string;
  other?: string;
  minimal?: boolean;
  token?: string;
  noticeNumber?: string;
  env?: 'test' | 'prod';
}

export function paidPayment(input: PaidInput): PaidPayment {
  const token = input.token ?? newPaymentToken();
  const common = {
    env: input.env ?? 'test',
    token,
    noticeNumber: input.noticeNumber ?? noticeNumber(),
    fiscalCode: input.fiscalCode,
    ecOrganisationId: input.ecOrganisationId,
    psp: { organisationId: input.pspOrganisationId, ...PSP },
    paidAt: new Date('2026-03-01T16:48:22.123Z'),
  } as const;
  if (input.version === 1) return { ...common, payment: { version: 1, data: paymentV1(input.fiscalCode, input.other, input.minimal) }, details: detailsV1() };
  const data = paymentV2(input.fiscalCode, input.other);
  const stamp = data.transferList.transfer.find((t) => t.richiestaMarcaDaBollo !== undefined);
  return { ...common, payment: { version: 2, data }, details: detailsV2(token, stamp?.idTransfer ?? 2) };
}

/** Schedules inside a transaction of the test, as the node does inside the outcome's. */
export function schedule(services: Services, db: Kysely<Database>, paid: PaidPayment): Promise<string[]> {
  return db.transaction().execute((trx) => services.receipts.schedule(trx, paid));
}

export interface EcWithStation {
  id: string;
  fiscalCode: string;
  name: string;
  station: EcStation;
  stationId: string;
  code: string;
}

/** A creditor institution with the suite's real EC station (mutual TLS), linked in the registry for aux digit 3, code 11. */
export async function ecWithStation(
  services: Services,
  db: Kysely<Database>,
  options: { version: 1 | 2; name?: string } & Partial<EcStationOptions>,
): Promise<EcWithStation> {
  const ec = await createEc(db, options.name ?? `Comune ${randomBytes(2).toString('hex')}`);
  const platform = await services.platformCertificates.downloads('test');
  const station = await startEcStation({ ecs: ec, clientCas: [platform.caPem], primitiveVersion: options.version, ...options });
  const code = `${ec.fiscalCode}_01`;
  const { stationId } = await connectEcStation(services, { organisationId: ec.id, station, code });
  const linked = await services.pagopaRegistry.ecs.link(
    { organisationId: ec.id, env: 'test', stationCode: code, auxDigit: '3', segregationCode: '11', version: String(options.version) },
    CLI,
  );
  assert.ok(linked.ok, JSON.stringify(linked));
  return { ...ec, station, stationId, code };
}

/** Polls until `check` holds (or fails with `what` after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
}
