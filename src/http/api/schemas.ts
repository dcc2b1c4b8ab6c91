import { Type, type TSchema } from 'typebox';

// Schemas shared by every /api route: the error body, and the error statuses each authenticated route
// can answer. Declaring them also means the serializer drops any field not listed here.

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code; see docs/errors.md.' }),
      message: Type.String(),
      requestId: Type.String({ description: 'Quote it when asking for help: it is in the logs.' }),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { description: 'Every failure has this shape.' },
);

/**
 * 400 (input refused by the route's schema), 401 (missing or invalid key), 403 (product does not
 * grant the route), 429 (rate limit; see Retry-After), 500 (a fault of Varco's, logged), 503 (stopping
 * or database away). Every status a route answers has a schema, so no field leaks past it.
 */
export const AUTH_ERRORS: Record<number, TSchema> = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  429: ErrorResponse,
  500: ErrorResponse,
  503: ErrorResponse,
};
