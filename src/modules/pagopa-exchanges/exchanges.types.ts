import type { MessageInput } from './exchanges.sanitize.ts';

// The exchange log's public types: what the node writes (ExchangeEntry), who reads (ExchangeViewer),
// and what the pages get back (ExchangeRow, ExchangeDetail).

export type ExchangeEnv = 'test' | 'prod';
export type ExchangeDirection = 'in' | 'out';

/**
 * One SOAP exchange, written by the node once per message it receives (`in`: a PSP's request and
 * Varco's answer) or sends (`out`: Varco's request to a station or the simulator, and the answer).
 * Every field but env/direction/operation/at/durationMs/request may be missing: a request refused
 * before routing has no EC, a timeout has no response.
 */
export interface ExchangeEntry {
  env: ExchangeEnv;
  direction: ExchangeDirection;
  /** SOAP operation (`activatePaymentNotice`, `paGetPayment`, …); '' when none could be named. */
  operation: string;
  /** When the exchange started. */
  at: Date;
  durationMs: number;
  /** The organisation of the API key that called (in), or the PSP the outbound call serves. */
  pspOrganisationId?: string | null;
  ecOrganisationId?: string | null;
  stationId?: string | null;
  /** The station's code (idStation), shown on the pages. */
  stationCode?: string | null;
  /** The station's owner (EC or technology partner): the organisation the mutual-TLS call is made for. */
  stationOrganisationId?: string | null;
  /**
   * Further organisations the exchange concerns, who read it like the three above: the ECs and station
   * owners of a cart's other notices (sendPaymentOutcomeV2), the notice's EC of a receipt sent to
   * another institution of its transfers.
   */
  furtherOrganisationIds?: readonly string[] | null;
  /**
   * A cart outcome (sendPaymentOutcomeV2 with several tokens): every token of the request in its order,
   * with its notice and the organisations it concerns when it is the calling PSP's (another PSP's token
   * names nothing). Its tokens and notice numbers find the row in searches, each for the organisations
   * of its own notice, and each institution of the cart reads the cart's messages with the other
   * institutions' tokens masked (ADR 0018).
   */
  cartNotices?: readonly CartNotice[] | null;
  noticeNumber?: string | null;
  fiscalCode?: string | null;
  token?: string | null;
  outcome?: 'OK' | 'KO' | null;
  faultCode?: string | null;
  httpStatus?: number | null;
  /** Failure below SOAP (timeout, TLS, unreachable, malformed answer), in the node's words. */
  error?: string | null;
  /** Outbound: the station's endpoint that answered, or failed last (`secondary`: its disaster-recovery site took over). */
  endpoint?: 'primary' | 'secondary' | null;
  /** The message as on the wire: text, or the raw bytes (invalid UTF-8 is kept as U+FFFD). */
  request: MessageInput;
  response?: MessageInput;
}

/** One notice of a cart outcome: its token, and (the calling PSP's tokens only) whose notice it is. */
export interface CartNotice {
  token: string;
  noticeNumber: string | null;
  fiscalCode: string | null;
  ecOrganisationId: string | null;
  stationId: string | null;
  stationCode: string | null;
  stationOrganisationId: string | null;
}

/** Who reads: a referent's organisation (only rows it is party to, further parties included), or the back office (all). */
export type ExchangeViewer = { organisationId: string } | { admin: true };

export interface ExchangeFilter {
  env?: ExchangeEnv | undefined;
  noticeNumber?: string | undefined;
  token?: string | undefined;
  faultCode?: string | undefined;
  operation?: string | undefined;
  /** A row's `cursor`: only rows older than that row. */
  before?: string | undefined;
  /** Default 50, at most 200. */
  limit?: number | undefined;
}

export interface ExchangeRow {
  id: string;
  /** Pass as `before` to get the rows after this one (newest first). */
  cursor: string;
  env: ExchangeEnv;
  at: Date;
  direction: ExchangeDirection;
  operation: string;
  pspOrganisationId: string | null;
  ecOrganisationId: string | null;
  stationId: string | null;
  stationCode: string | null;
  stationOrganisationId: string | null;
  /** Further parties (ExchangeEntry); empty for most rows and for rows before migration 0053. */
  furtherOrganisationIds: string[];
  /**
   * A cart outcome's notices the viewer may read: all of them for its PSP and the back office, for an
   * institution of the cart (or its station's owner) its own only; null for any other row. Such a
   * viewer gets the row as its own notice's: notice number, fiscal code, token, EC and station are
   * those of its notice (the one searched for, else its first), and no further parties.
   */
  cartNotices: CartNotice[] | null;
  noticeNumber: string | null;
  fiscalCode: string | null;
  token: string | null;
  outcome: 'OK' | 'KO' | null;
  faultCode: string | null;
  httpStatus: number | null;
  /** Outbound rows: the station's endpoint that answered or failed last; null inbound and before migration 0037. */
  endpoint: 'primary' | 'secondary' | null;
  durationMs: number;
  /** Failure below SOAP in the node's words; null when there was none or it is withheld from this viewer. */
  error: string | null;
  /**
   * The failure of a call to a station names the station's host and address: only the station's
   * operators (the EC, the station's owner) and administrators read it. The PSP the call served sees
   * that there was one (docs/pagopa.md: the station's address is never shown to a PSP).
   */
  errorWithheld: boolean;
  requestBytes: number;
  requestTruncated: boolean;
  /** null: no response (timeout, unreachable, or none yet). */
  responseBytes: number | null;
  responseTruncated: boolean;
}

export interface ExchangeDetail extends ExchangeRow {
  /** Stored text: passwords masked, at most MAX_MESSAGE_BYTES. */
  request: string;
  /** Null when there was none, or when it is withheld from this viewer (responseWithheld). */
  response: string | null;
  /**
   * A station's answer that is not SOAP (a web server's error page, garbled bytes) may name the server:
   * like the failure text, only the station's operators and administrators read it.
   */
  responseWithheld: boolean;
  /**
   * How a cart outcome's messages are shown: `whole` (any other row; its PSP and the back office),
   * `masked` (an institution of the cart or its station's owner: the other institutions' tokens, the
   * elements of their notices and their values are masked in both messages), `withheld` (such a reader,
   * but a message could not be read to mask it: neither is shown).
   */
  cartView: 'whole' | 'masked' | 'withheld';
}
