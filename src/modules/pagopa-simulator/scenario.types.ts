// The scenarios of a simulated EC station: what it answers for the notices matching a pattern.
// Plain data, stored as one JSON array per EC (first match wins) and shared with the test suite's
// real EC station (test/support/ec-station.ts), so both answer alike.

/** What the EC says about a notice, to paVerifyPaymentNotice and paGetPayment[V2] alike. */
export const NOTICE_ANSWERS = ['payable', 'unknown', 'expired', 'cancelled', 'duplicate'] as const;
export type NoticeAnswer = (typeof NOTICE_ANSWERS)[number];

/** The EC's KO for each answer that is not `payable`. */
export const ANSWER_FAULTS = {
  unknown: 'PAA_PAGAMENTO_SCONOSCIUTO',
  expired: 'PAA_PAGAMENTO_SCADUTO',
  cancelled: 'PAA_PAGAMENTO_ANNULLATO',
  duplicate: 'PAA_PAGAMENTO_DUPLICATO',
} as const satisfies Record<Exclude<NoticeAnswer, 'payable'>, string>;

/** The three kinds of call a station receives; a scenario may slow down or garble each. */
export const PRIMITIVES = ['verify', 'getPayment', 'receipt'] as const;
export type Primitive = (typeof PRIMITIVES)[number];

/** How a refused receipt is refused: a KO with PAA_SYSTEM_ERROR (HTTP 200), or HTTP 503. */
export const REFUSALS = ['ko', 'http503'] as const;
export type RefuseWith = (typeof REFUSALS)[number];

export interface TransferSpec {
  amountCents: number;
  /** The beneficiary EC's fiscal code (11 digits). */
  fiscalCode: string;
  iban: string;
  remittance: string;
  category: string;
}

export interface PaymentSpec {
  amountCents: number;
  description: string;
  /** Empty: the EC's organisation name. */
  companyName?: string;
  /** YYYY-MM-DD; empty: 30 days after the call. */
  dueDate?: string;
  /** 1–5 transfers adding up to amountCents. */
  transfers: TransferSpec[];
}

export interface Scenario {
  /** `scn_…`, so pages can name a scenario in their URLs. */
  id: string;
  /** An exact 18-digit notice number, or digits followed by `*` (a prefix; `*` alone matches all). */
  pattern: string;
  answer: NoticeAnswer;
  /** Present exactly when answer is `payable`. */
  payment?: PaymentSpec;
  /** Milliseconds the answer waits, on the primitives of delayOn. */
  delayMs: number;
  delayOn: Primitive[];
  /** Primitives answered with a body that is not even well-formed XML. */
  malformedOn: Primitive[];
  /** The first N deliveries of each receipt are refused, then accepted. */
  refuseReceipts: number;
  refuseWith: RefuseWith;
}

/** The EC a simulated station answers for. */
export interface SimulatedEc {
  fiscalCode: string;
  name: string;
}

export const MAX_SCENARIOS = 50;
export const MAX_TRANSFERS = 5;
/** The station caller's longest response timeout: a longer delay could never be seen. */
export const MAX_DELAY_MS = 120_000;
export const MAX_REFUSALS = 100;
export const DEFAULT_AMOUNT_CENTS = 10_000;
/** A syntactically valid Italian IBAN used by the default scenario (not a real account). */
export const DEFAULT_IBAN = 'IT60X0542811101000000123456';
export const DEFAULT_CATEGORY = '9/0101108TS/';
export const DUE_IN_DAYS = 30;

/** What answers when no scenario matches: payable 100.00 €, one transfer to the EC itself. */
export function defaultScenario(ec: SimulatedEc): Scenario {
  return {
    id: 'default',
    pattern: '*',
    answer: 'payable',
    payment: {
      amountCents: DEFAULT_AMOUNT_CENTS,
      description: 'Avviso di prova (stazione simulata Varco)',
      transfers: [
        { amountCents: DEFAULT_AMOUNT_CENTS, fiscalCode: ec.fiscalCode, iban: DEFAULT_IBAN, remittance: 'Pagamento di prova', category: DEFAULT_CATEGORY },
      ],
    },
    delayMs: 0,
    delayOn: [],
    malformedOn: [],
    refuseReceipts: 0,
    refuseWith: 'ko',
  };
}
