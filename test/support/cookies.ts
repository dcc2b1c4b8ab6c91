import type { LightMyRequestResponse } from 'fastify';

// The time each app's clock says (buildTestApp records it), so a jar drops a cookie when a browser
// would on that app's (possibly fixed) clock.
const appClocks = new WeakMap<object, () => number>();

export function recordAppClock(app: object, now: () => number): void {
  appClocks.set(app, now);
}

export function appClock(app: object): () => number {
  return appClocks.get(app) ?? Date.now;
}

/**
 * A tiny cookie jar for inject(): keeps name=value pairs from Set-Cookie across requests and, as a
 * browser does, forgets one when its Max-Age (else its Expires) has passed on the jar's clock.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  readonly #endsAt = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  store(response: LightMyRequestResponse): void {
    for (const c of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const endsAt = c.maxAge !== undefined ? this.#now() + c.maxAge * 1000 : c.expires?.getTime();
      this.#endsAt.delete(c.name);
      if (c.value === '' || (endsAt !== undefined && endsAt <= this.#now())) this.cookies.delete(c.name);
      else {
        this.cookies.set(c.name, c.value);
        if (endsAt !== undefined) this.#endsAt.set(c.name, endsAt);
      }
    }
  }

  header(): string {
    for (const [name, endsAt] of this.#endsAt) {
      if (endsAt <= this.#now()) {
        this.cookies.delete(name);
        this.#endsAt.delete(name);
      }
    }
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The value of a hidden `_csrf` input in an HTML page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no _csrf field in page');
  return match[1];
}
