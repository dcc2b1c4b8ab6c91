import { X509Certificate, createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Real Chromium (Debian's package, installed by `npm test` when missing) driven by playwright-core.

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = resolve(import.meta.dirname, '../../.test-data/screenshots');
// Headless and quiet: no sandbox (tests run as root in containers), no GPU, and no background
// traffic to Google (updates, sync, QUIC) that could slow a test or reach the network.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface LaunchOptions {
  /**
   * PEM of the server certificate (the first certificate of a chain is used). Chromium then accepts
   * exactly that public key and still rejects any other certificate. Without it every certificate
   * error is ignored.
   */
  serverCertificate?: string;
  locale?: string;
}

/**
 * Base64 SHA-256 of the certificate's SubjectPublicKeyInfo, the form Chromium's
 * `--ignore-certificate-errors-spki-list` takes.
 */
export function spkiHash(certificatePem: string): string {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * A browser context in a fresh profile, closed (and the profile removed) by after(): at file level
 * or in before() it lives for the file; called inside a test it lives for that test.
 *
 * Why not trust the development CA: Chromium on Linux reads trust anchors from an NSS database,
 * which would need `certutil` and a home directory per run. Pinning the server's public key gives
 * the same protection for these tests (a different certificate still fails) with one flag; the
 * chain itself is verified against the CA by the Node-side checks (readiness poll, TLS tests).
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'varco-chromium-'));
  const pin = options.serverCertificate ? [`--ignore-certificate-errors-spki-list=${spkiHash(options.serverCertificate)}`] : [];
  const context = await chromium
    .launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, ...pin],
      ignoreHTTPSErrors: pin.length === 0,
      locale: options.locale ?? 'en-US',
    })
    .catch(async (error: unknown) => {
      await rm(profile, { recursive: true, force: true });
      throw error;
    });
  after(async () => {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  });
  return context;
}

/**
 * Runs `steps`; if they throw, saves a full-page screenshot to `.test-data/screenshots/<name>-<time>.png`
 * (path appended to the error message) and rethrows, so a failed browser test shows what the page looked like.
 */
export async function screenshotOnFailure<T>(page: Page, name: string, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (error) {
    const file = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
    try {
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: file, fullPage: true, timeout: 5000 });
      if (error instanceof Error) error.message += `\n(screenshot: ${file}; page: ${page.url()})`;
    } catch {
      // The page may be gone (crash, closed context); the original error matters more.
    }
    throw error;
  }
}
