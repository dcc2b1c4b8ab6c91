// Ogone (Ingenico e-Commerce) protocol: the public surface. Pure code: no I/O, no database, no HTTP.
// Only the STATUS values so far; parameter lists, SHA-IN/SHA-OUT and encodings move here later.
export {
  ACCEPTED_STATUSES, DECLINED_STATUSES, OGONE_STATUS, S2S_FIRST_URL_STATUSES, UNCERTAIN_STATUSES, type OgoneStatus,
} from './status.ts';
