import type { AddressInfo } from 'node:net';
import { buildTestApp, type TestApp, type TestAppOptions } from './app.ts';
import { formBytes } from './ecommerce.ts';
import { httpsRequest } from './server-process.ts';
import { tempDevPki } from './tls.ts';

// The production app listening over real HTTPS (development PKI made in memory), and a client that
// verifies its certificate: for tests whose point is the wire (DirectLink, the hosted page, the API)
// rather than inject(). One app per test file, closed by buildTestApp's `after`.

type Pairs = Array<[string, string]>;
type Charset = 'latin1' | 'utf8';

export interface HttpsAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpsApp extends TestApp {
  /** https://localhost:PORT */
  base: string;
  /** The test CA that issued the server certificate (what a client trusts). */
  ca: string;
  /** The server certificate (what a browser is told to trust). */
  serverCertPem: string;
  send(method: string, path: string, init?: { headers?: Record<string, string>; body?: Buffer | string }): Promise<HttpsAnswer>;
  /** A form POST, encoded in `charset` as a shop sends it. */
  postForm(path: string, pairs: Pairs, charset?: Charset): Promise<HttpsAnswer>;
}

export async function buildHttpsApp(options: Omit<TestAppOptions, 'tls'> = {}): Promise<HttpsApp> {
  const pki = await tempDevPki(['localhost']);
  const t = await buildTestApp({ ...options, tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as AddressInfo).port;
  const ca = pki.envs.test.caCertPem;

  const send: HttpsApp['send'] = async (method, path, init = {}) => {
    const res = await httpsRequest(port, ca, path, { method, ...init, timeoutMs: 15_000 });
    // DirectLink answers in ISO-8859-1 on the non-UTF-8 pages; everything else is UTF-8.
    const latin1 = /charset=iso-8859-1/i.test(String(res.headers['content-type'] ?? ''));
    return { statusCode: res.status, headers: res.headers, body: latin1 ? res.raw.toString('latin1') : res.body };
  };

  const postForm: HttpsApp['postForm'] = (path, pairs, charset = 'latin1') =>
    send('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBytes(pairs, charset) });

  return Object.assign(t, { base: `https://localhost:${port}`, ca, serverCertPem: pki.server.certPem, send, postForm });
}
