// Certificates made by tests: roots, intermediates and leaves with chosen names, validity, key
// types and sizes. src/pki/issue.ts only makes what the development PKI needs (EC P-256, fixed
// lifetimes); the outbound tests need the bad cases too (expired, RSA 1024, wrong names, chains).
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto);

export type KeySpec = { type: 'ec'; curve?: 'P-256' | 'P-384' | 'P-521' } | { type: 'rsa'; bits: number };

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** Subject common name, for messages and assertions. */
  name: string;
  /** SHA-256 fingerprint as node prints it (AB:CD:…). */
  fingerprint256: string;
  /** Only set on CAs: what signs the certificates they issue. */
  signer?: { key: CryptoKey; algorithm: webcrypto.EcdsaParams | webcrypto.RsaPssParams | webcrypto.Algorithm };
}

export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

export interface CaRequest extends Validity {
  name: string;
  key?: KeySpec;
  /** Omitted: a self-signed root. */
  issuer?: TestCertificate;
}

export interface LeafRequest extends Validity {
  commonName: string;
  issuer: TestCertificate;
  /** DNS names and IP addresses for the SAN; an empty list or omitted means no SAN extension. */
  altNames?: string[];
  key?: KeySpec;
  usage?: 'server' | 'client' | 'both';
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EC_DEFAULT: KeySpec = { type: 'ec', curve: 'P-256' };

export async function makeCa(request: CaRequest): Promise<TestCertificate> {
  const keys = await generateKeys(request.key ?? EC_DEFAULT);
  const subject: x509.JsonName = [{ CN: [request.name] }, { O: ['Varco Tests'] }];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const { notBefore, notAfter } = validity(request);
  let cert: x509.X509Certificate;
  if (request.issuer === undefined) {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: subject,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signingAlgorithm(keys.privateKey),
      extensions,
    });
  } else {
    const issuer = signerOf(request.issuer);
    extensions.push(await authorityKeyId(request.issuer));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: new x509.X509Certificate(request.issuer.certPem).subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: issuer.key,
      signingAlgorithm: issuer.algorithm,
      extensions,
    });
  }
  return finish(cert, keys.privateKey, request.name, true);
}

export async function makeLeaf(request: LeafRequest): Promise<TestCertificate> {
  const keys = await generateKeys(request.key ?? EC_DEFAULT);
  const issuer = signerOf(request.issuer);
  const usage = request.usage ?? 'server';
  const ekus = usage === 'both' ? (['serverAuth', 'clientAuth'] as const) : usage === 'server' ? (['serverAuth'] as const) : (['clientAuth'] as const);
  const rsa = keys.publicKey.algorithm.name.startsWith('RSA');
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // RSA keys may also encipher in TLS 1.2 RSA key exchange; EC keys only sign.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (rsa ? x509.KeyUsageFlags.keyEncipherment : 0), true),
    new x509.ExtendedKeyUsageExtension(
      ekus.map((name) => x509.ExtendedKeyUsage[name]),
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await authorityKeyId(request.issuer),
  ];
  if (request.altNames !== undefined && request.altNames.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        request.altNames.map((name) => ({ type: isIP(name) === 0 ? ('dns' as const) : ('ip' as const), value: name })),
        false,
      ),
    );
  }
  const { notBefore, notAfter } = validity(request);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [request.commonName] }, { O: ['Varco Tests'] }],
    issuer: new x509.X509Certificate(request.issuer.certPem).subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: issuer.algorithm,
    extensions,
  });
  return finish(cert, keys.privateKey, request.commonName, false);
}

/** A root, optionally an intermediate, and a server leaf: the usual shape of an organisation's PKI. */
export interface ServerPkiRequest extends Omit<LeafRequest, 'issuer'> {
  rootName?: string;
  /** Adds an intermediate between the root and the leaf. */
  intermediateName?: string;
}

export interface ServerPkiMaterial {
  root: TestCertificate;
  intermediate: TestCertificate | undefined;
  leaf: TestCertificate;
}

export async function makeServerPki(request: ServerPkiRequest): Promise<ServerPkiMaterial> {
  const root = await makeCa({ name: request.rootName ?? 'Test Root CA' });
  const intermediate = request.intermediateName === undefined ? undefined : await makeCa({ name: request.intermediateName, issuer: root });
  const { rootName: _root, intermediateName: _intermediate, ...leafRequest } = request;
  const leaf = await makeLeaf({ ...leafRequest, issuer: intermediate ?? root });
  return { root, intermediate, leaf };
}

/** Concatenates PEMs into one bundle, in the order given (leaf first for a served chain). */
export function pemBundle(...certs: TestCertificate[]): string {
  return certs.map((cert) => cert.certPem).join('');
}

export function daysFromNow(days: number, now: Date = new Date()): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

function validity(request: Validity): { notBefore: Date; notAfter: Date } {
  return { notBefore: request.notBefore ?? daysFromNow(-1), notAfter: request.notAfter ?? daysFromNow(365) };
}

async function generateKeys(spec: KeySpec): Promise<webcrypto.CryptoKeyPair> {
  if (spec.type === 'ec') {
    return webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: spec.curve ?? 'P-256' }, true, ['sign', 'verify']);
  }
  return webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
}

function signingAlgorithm(key: CryptoKey): webcrypto.EcdsaParams | webcrypto.Algorithm {
  // The hash of an RSASSA key is fixed at generation; ECDSA needs it at signing time.
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
}

function signerOf(ca: TestCertificate): NonNullable<TestCertificate['signer']> {
  if (ca.signer === undefined) throw new Error(`${ca.name} is not a CA made by makeCa()`);
  return ca.signer;
}

async function authorityKeyId(issuer: TestCertificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = new x509.X509Certificate(issuer.certPem).getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski === null) throw new Error(`${issuer.name} has no subject key identifier`);
  return new x509.AuthorityKeyIdentifierExtension(ski.keyId, false);
}

async function finish(cert: x509.X509Certificate, privateKey: CryptoKey, name: string, isCa: boolean): Promise<TestCertificate> {
  // @peculiar/x509 omits the final newline; bundles would glue END/BEGIN lines together.
  const certPem = `${cert.toString('pem')}\n`;
  const der = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  const keyPem = `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
  const result: TestCertificate = { certPem, keyPem, name, fingerprint256: new X509Certificate(certPem).fingerprint256 };
  if (isCa) result.signer = { key: privateKey, algorithm: signingAlgorithm(privateKey) };
  return result;
}

// Positive 16-byte serial (top bit clear, next bit set so the DER length is fixed).
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}
