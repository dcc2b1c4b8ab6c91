// Request body limits. Small by default: every form and JSON body Varco takes is a few KB. Larger
// only where the content needs it; a larger body is refused with 413 `payload_too_large` before it
// is read (Content-Length) or as soon as it passes the limit (chunked). The hosted page entry has its
// own bound (src/http/ncol/index.ts), set by what an Ogone form may carry.
export const BODY_LIMITS = {
  /** Forms and JSON everywhere (Fastify's default parsers and @fastify/formbody). */
  default: 64 * 1024,
  /** A PEM upload (trusted CA chains). */
  upload: 256 * 1024,
} as const;
