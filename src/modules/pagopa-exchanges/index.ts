// Public surface of the pagoPA exchange log (issue 11): every SOAP message Varco receives from a PSP
// or sends to an EC station, kept for the parties to read. The node writes with `record`; the portal
// and the back office read with `search` and `get`; the retention job prunes.
export { createExchangeLog, exchangeRow } from './exchanges.service.ts';
export type { ExchangeLog, ExchangeLogOptions } from './exchanges.service.ts';
export type {
  CartNotice,
  ExchangeDetail,
  ExchangeDirection,
  ExchangeEntry,
  ExchangeEnv,
  ExchangeFilter,
  ExchangeRow,
  ExchangeViewer,
} from './exchanges.types.ts';
export { MAX_MESSAGE_BYTES, maskSecrets } from './exchanges.sanitize.ts';
export type { MessageInput } from './exchanges.sanitize.ts';
export { prettyXml } from './exchanges.pretty.ts';
export {
  DEFAULT_LIMIT as EXCHANGES_PAGE_SIZE,
  MAX_LIMIT as EXCHANGES_MAX_PAGE_SIZE,
  isExchangeCursor,
  pruneExchanges,
  hasExchanges,
} from './exchanges.repository.ts';
export { EXCHANGE_OPERATIONS } from './exchanges.service.ts';
