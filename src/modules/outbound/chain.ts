// Certificate path building for the server-certificate checks, with node's X509Certificate
// (checkIssued + verify) doing all the ASN.1 and signature work. Never fetches anything (no AIA):
// what the server sends plus what Varco trusts is all a real connection will ever have.
import { X509Certificate } from 'node:crypto';
import { splitPemChain } from '../../pki/index.ts';

export type CertificateInput = string | Buffer;

export type PathEnd =
  /** Reached a trusted root. */
  | { kind: 'trusted'; anchor: X509Certificate }
  /** Reached a self-signed certificate that is not a trusted root. */
  | { kind: 'untrusted_root'; root: X509Certificate }
  /** The issuer of the last certificate is nowhere to be found. */
  | { kind: 'issuer_missing'; subjectOf: X509Certificate }
  /** The issuer found is not a CA, or the path is absurdly long. */
  | { kind: 'invalid'; reason: string };

export interface CertificatePath {
  /** Leaf first; ends with the anchor when trusted. */
  certificates: X509Certificate[];
  end: PathEnd;
  /** Certificates in the path that came from `known` rather than from the server. */
  notServed: X509Certificate[];
}

const MAX_DEPTH = 8;

/** Accepts DER buffers, single PEMs or PEM bundles; returns one X509Certificate per certificate. */
export function parseCertificates(inputs: CertificateInput | CertificateInput[]): X509Certificate[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  return list.flatMap((input) => (typeof input === 'string' ? splitPemChain(input).map((pem) => new X509Certificate(pem)) : [new X509Certificate(input)]));
}

const parsedRoots = new WeakMap<string[], X509Certificate[]>();

/** Trust stores hold ~150 roots in prod: parse each array once. */
export function parseRoots(roots: string[]): X509Certificate[] {
  const known = parsedRoots.get(roots);
  if (known !== undefined) return known;
  const parsed = parseCertificates(roots);
  parsedRoots.set(roots, parsed);
  return parsed;
}

function selfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  return issuer.fingerprint256 !== cert.fingerprint256 && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * Builds the path from `leaf` towards a trusted root, looking for each issuer among the roots
 * first (a served copy of a root changes nothing), then among the served certificates, then
 * among `known` ones (which makes the path usable for diagnosis but marks the chain incomplete).
 */
export function buildPath(leaf: X509Certificate, served: X509Certificate[], roots: X509Certificate[], known: X509Certificate[]): CertificatePath {
  const certificates = [leaf];
  const notServed: X509Certificate[] = [];
  const rootPrints = new Set(roots.map((root) => root.fingerprint256));
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (rootPrints.has(current.fingerprint256)) return { certificates, end: { kind: 'trusted', anchor: current }, notServed };
    const root = roots.find((candidate) => issues(candidate, current));
    if (root !== undefined) {
      certificates.push(root);
      return { certificates, end: { kind: 'trusted', anchor: root }, notServed };
    }
    if (selfSigned(current)) return { certificates, end: { kind: 'untrusted_root', root: current }, notServed };
    const fromServer = served.find((candidate) => issues(candidate, current));
    const issuer = fromServer ?? known.find((candidate) => issues(candidate, current));
    if (issuer === undefined) return { certificates, end: { kind: 'issuer_missing', subjectOf: current }, notServed };
    if (!issuer.ca)
      return { certificates, end: { kind: 'invalid', reason: `${nameOf(issuer)} signed ${nameOf(current)} but is not a CA certificate` }, notServed };
    if (fromServer === undefined) notServed.push(issuer);
    certificates.push(issuer);
    current = issuer;
  }
  return { certificates, end: { kind: 'invalid', reason: `the chain is longer than ${MAX_DEPTH} certificates` }, notServed };
}

/** `'CN=x'`-style short name for messages: the CN when there is one, else the whole subject. */
export function nameOf(cert: X509Certificate): string {
  return `"${displayName(cert.subject)}"`;
}

export function issuerNameOf(cert: X509Certificate): string {
  return `"${displayName(cert.issuer)}"`;
}

function displayName(name: string): string {
  const parts = name.split('\n').filter((part) => part !== '');
  const cn = parts.find((part) => part.startsWith('CN='));
  return cn === undefined ? parts.join(', ') : cn.slice(3);
}
