// Read-only views of PEM certificates. Uses node:crypto rather than
// @peculiar/x509 so that describing a certificate stays synchronous and does
// not depend on a configured WebCrypto provider.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Uppercase hex, as printed by OpenSSL. */
  serialNumber: string;
  /** Colon-separated uppercase hex of the SHA-256 of the DER encoding. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  /** Canonical textual form (IPv6 compressed, lowercase). */
  ipAddresses: string[];
  isCa: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Splits a PEM bundle into its certificate blocks, in order. Anything that is
 * not a certificate (private keys, comments, "Bag Attributes" noise from
 * OpenSSL exports) is dropped so a key can never leak into a trust bundle by
 * accident.
 */
export function splitPemChain(pem: string): string[] {
  const blocks = pem.replace(/\r\n?/g, '\n').match(PEM_CERTIFICATE) ?? [];
  return blocks.map((block) => `${block}\n`);
}

/** Describes the first certificate in `pem`. */
export function describeCertificate(pem: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  const { dnsNames, ipAddresses } = parseSubjectAltName(cert.subjectAltName);
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    serialNumber: cert.serialNumber.toUpperCase(),
    fingerprintSha256: cert.fingerprint256.toUpperCase(),
    notBefore: cert.validFromDate,
    notAfter: cert.validToDate,
    dnsNames,
    ipAddresses,
    isCa: cert.ca,
  };
}

/**
 * Canonical form of an IP address, so that "0:0:0:0:0:0:0:1" and "::1" (or
 * the differing spellings OpenSSL and users produce) compare equal. The WHATWG
 * URL parser already implements RFC 5952 canonicalisation, so reuse it.
 */
export function canonicalIp(address: string): string {
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  throw new Error(`not an IP address: ${address}`);
}

// Node prints names one attribute per line ("CN=x\nO=y"); a single line is
// easier to show in CLI tables and logs.
function formatName(name: string): string {
  return name
    .split('\n')
    .filter((part) => part !== '')
    .join(', ');
}

/**
 * Parses node's `subjectAltName` string, e.g.
 * `DNS:localhost, IP Address:127.0.0.1, DNS:"weird, name"`. Since the fix for
 * CVE-2021-44532 node JSON-quotes values that contain separators, so the
 * split has to respect quotes instead of naively splitting on ", ".
 */
function parseSubjectAltName(san: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  if (san === undefined) return { dnsNames, ipAddresses };
  let rest = san;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    const type = rest.slice(0, colon).trim();
    rest = rest.slice(colon + 1);
    let value: string;
    if (rest.startsWith('"')) {
      const end = findClosingQuote(rest);
      value = JSON.parse(rest.slice(0, end + 1)) as string;
      rest = rest.slice(end + 1);
    } else {
      const comma = rest.indexOf(', ');
      value = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma);
    }
    rest = rest.replace(/^,\s*/, '');
    if (type === 'DNS') dnsNames.push(value);
    else if (type === 'IP Address') ipAddresses.push(isIP(value) === 0 ? value : canonicalIp(value));
  }
  return { dnsNames, ipAddresses };
}

function findClosingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  throw new Error(`unterminated quoted subjectAltName entry: ${text}`);
}
