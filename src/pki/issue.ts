// Certificate and key generation on top of @peculiar/x509. Everything here is
// pure (no file system, no database): the platform module decides what to keep,
// reuse and (re)issue.
// @peculiar/x509's CommonJS build uses tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// @peculiar/x509 defaults to globalThis.crypto; pin it to node's webcrypto
// explicitly so behaviour does not depend on the global being present.
x509.cryptoProvider.set(webcrypto);

const EC_KEY: webcrypto.EcKeyImportParams & webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** Clock skew allowance: peers whose clock is slightly behind still accept a fresh cert. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface IssuedPair {
  certPem: string;
  keyPem: string;
}

/** A CA able to sign: its certificate plus its private key. */
export interface SigningCa {
  certPem: string;
  keyPem: string;
}

export interface LeafRequest {
  commonName: string;
  usage: 'serverAuth' | 'clientAuth';
  /** Only for server certificates: DNS names and IP addresses, already normalised. */
  altNames?: string[];
  years: number;
  now: Date;
  /** The subject's O (default `Varco Development`, what the test environment issues). */
  organisation?: string;
}

export async function createRootCa(commonName: string, years: number, now: Date, organisation = 'Varco Development'): Promise<IssuedPair> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [commonName] }, { O: [organisation] }],
    notBefore: notBefore(now),
    notAfter: addYears(now, years),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      // pathLen 0: the dev CA only ever issues leaves directly.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: toPem(cert), keyPem: await exportPrivateKey(keys.privateKey) };
}

export async function issueLeaf(ca: SigningCa, request: LeafRequest): Promise<IssuedPair> {
  const keys = await generateKeys();
  const caCert = new x509.X509Certificate(ca.certPem);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // ECDSA keys only sign in TLS (ECDHE does the key agreement), so
    // digitalSignature is the only usage a leaf needs.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[request.usage]], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await authorityKeyIdentifier(caCert),
  ];
  if (request.altNames !== undefined && request.altNames.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        request.altNames.map((name) => ({ type: isIP(name) === 0 ? ('dns' as const) : ('ip' as const), value: name })),
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [request.commonName] }, { O: [request.organisation ?? 'Varco Development'] }],
    issuer: caCert.subject,
    notBefore: notBefore(request.now),
    notAfter: addYears(request.now, request.years),
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: toPem(cert), keyPem: await exportPrivateKey(keys.privateKey) };
}

// @peculiar/x509 omits the final newline; without it, concatenating PEMs into
// a chain would glue "-----END CERTIFICATE----------BEGIN ..." together.
function toPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

export function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  // Extractable so the private key can be written out as PKCS#8.
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  // Go through node's KeyObject so any PEM flavour OpenSSL understands
  // (PKCS#8 or SEC1 "EC PRIVATE KEY") is accepted, then hand WebCrypto DER.
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}

/**
 * Prefer copying the CA's own subject key identifier: OpenSSL rejects chains
 * whose AKI key id differs from the issuer's SKI, and a CA created by another
 * tool may not use the SHA-1-of-key method. Fall back to computing it.
 */
async function authorityKeyIdentifier(caCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return new x509.AuthorityKeyIdentifierExtension(ski.keyId, false);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false);
}

/**
 * 16 random bytes with the top bit cleared: DER INTEGERs are signed and
 * RFC 5280 requires a positive serial of at most 20 octets. Setting bit 6
 * keeps the length fixed so no leading-zero padding is ever needed.
 */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

function notBefore(now: Date): Date {
  return new Date(now.getTime() - BACKDATE_MS);
}
