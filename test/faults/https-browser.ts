import assert from 'node:assert/strict';
import { httpsRequest, type HttpsResponse } from '../support/server-process.ts';
import { csrfFrom } from '../support/cookies.ts';

// A signed-in browser against a real Varco process over HTTPS (the fault tests run real servers):
// cookies from Set-Cookie, forms posted with the page's CSRF token.

export class HttpsBrowser {
  readonly cookies = new Map<string, string>();
  readonly port: number;
  readonly ca: string;
  readonly surface: 'portal' | 'admin';
  csrf = '';

  constructor(server: { port: number; ca: string }, surface: 'portal' | 'admin') {
    this.port = server.port;
    this.ca = server.ca;
    this.surface = surface;
  }

  private keep(res: HttpsResponse): HttpsResponse {
    const set = res.headers['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(path: string): Promise<HttpsResponse> {
    return this.keep(await httpsRequest(this.port, this.ca, path, { headers: this.cookieHeader() }));
  }

  async post(path: string, fields: Record<string, string>): Promise<HttpsResponse> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields }).toString();
    return this.keep(
      await httpsRequest(this.port, this.ca, path, {
        method: 'POST',
        body,
        headers: { ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
      }),
    );
  }

  async signIn(email: string, password: string): Promise<this> {
    this.csrf = csrfFrom((await this.get(`/${this.surface}/sign-in`)).body);
    const res = await this.post(`/${this.surface}/sign-in`, { email, password });
    assert.equal(res.status, 303, res.body.slice(0, 300));
    this.csrf = csrfFrom((await this.get(`/${this.surface}`)).body);
    return this;
  }
}
