// The checks Varco applies to an organisation's server certificate, at registration and when
// verifying reachability (issue 4): chain to a trusted root, name, validity, key strength, and
// that the server serves the full chain (pagoPA integrators' most common outage, connectivity.md §7.4).
// Each check answers in a sentence saying what was seen, and what to change when it failed.
import type { X509Certificate } from 'node:crypto';
import { NAME_RULES } from './tls-connect.ts';
import { buildPath, issuerNameOf, nameOf, parseCertificates, parseRoots, type CertificateInput, type CertificatePath } from './chain.ts';

export type CertificateCheckName = 'chain' | 'name' | 'validity' | 'key_strength' | 'full_chain';

export interface CertificateCheck {
  check: CertificateCheckName;
  ok: boolean;
  /** English; pages say it from `code` and `params` (dates as ISO instants, counts as digits). */
  message: string;
  fix?: string;
  code?: CheckSentence;
  params?: Record<string, string>;
}

/** Every sentence a certificate check can say (CertificateCheck.code); pages translate each one. */
export const CHECK_SENTENCES = [
  'no_certificate',
  'chain_is_root',
  'chain_trusted',
  'chain_trusted_via',
  'chain_self_signed',
  'chain_untrusted_root',
  'chain_issuer_missing',
  'chain_invalid',
  'name_matches',
  'name_mismatch',
  'validity_not_yet',
  'validity_expired',
  'validity_ok',
  'validity_nothing',
  'key_weak',
  'key_ok',
  'full_chain_missing',
  'full_chain_self_signed',
  'full_chain_direct',
  'full_chain_complete',
] as const;
export type CheckSentence = (typeof CHECK_SENTENCES)[number];

const said = (code: CheckSentence, params: Record<string, string> = {}) => ({ code, params });

export interface ServerCertificateInput {
  fqdn: string;
  /** What the server presented, leaf first: DER buffers, PEMs, or one PEM bundle. */
  chain: CertificateInput | CertificateInput[];
  roots: string[];
  /** Known but untrusted certificates: only used to tell a missing intermediate from an unknown CA. */
  intermediates?: string[];
  now: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MIN_RSA_BITS = 2048;
const STRONG_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function checkServerCertificate(input: ServerCertificateInput): CertificateCheck[] {
  const served = parseCertificates(input.chain);
  const leaf = served[0];
  if (leaf === undefined) {
    const message = 'The server presented no certificate.';
    return (['chain', 'name', 'validity', 'key_strength', 'full_chain'] as const).map((check) => ({
      check,
      ok: false,
      message,
      fix: 'Configure a server certificate on the service.',
      ...said('no_certificate'),
    }));
  }
  const roots = parseRoots(input.roots);
  const path = buildPath(leaf, served.slice(1), roots, input.intermediates === undefined ? [] : parseCertificates(input.intermediates));
  // Roots are only judged for trust: their own key size and dates are the CA's business.
  const anchor = path.end.kind === 'trusted' ? path.end.anchor : undefined;
  // A server presenting a trusted root itself as its certificate: that certificate is still the
  // one it serves, so its dates and key are judged (else the steps read "Nothing to check" and "()").
  const beyondAnchor = path.certificates.filter((cert) => cert !== anchor);
  const judged = beyondAnchor.length > 0 ? beyondAnchor : [leaf];
  return [
    chainCheck(leaf, path),
    nameCheck(leaf, input.fqdn),
    validityCheck(judged, input.now),
    keyStrengthCheck(judged),
    fullChainCheck(leaf, served, path, roots),
  ];
}

function chainCheck(leaf: X509Certificate, path: CertificatePath): CertificateCheck {
  const end = path.end;
  switch (end.kind) {
    case 'trusted': {
      const via = path.certificates.slice(1, -1).map(nameOf);
      const route = via.length === 0 ? '' : ` through ${via.join(', ')}`;
      const names = { leaf: nameOf(leaf), root: nameOf(end.anchor), via: via.join(', ') };
      if (end.anchor === leaf)
        return {
          check: 'chain',
          ok: true,
          message: `The certificate ${nameOf(leaf)} is itself a trusted root for this environment.`,
          ...said('chain_is_root', names),
        };
      const message = `The certificate ${nameOf(leaf)} chains${route} to the trusted root ${nameOf(end.anchor)}.`;
      return { check: 'chain', ok: true, message, ...said(via.length === 0 ? 'chain_trusted' : 'chain_trusted_via', names) };
    }
    case 'untrusted_root':
      return {
        check: 'chain',
        ok: false,
        message:
          end.root === leaf
            ? `The certificate ${nameOf(leaf)} is self-signed and is not a trusted root for this environment.`
            : `The chain of ${nameOf(leaf)} ends at the root ${nameOf(end.root)}, which is not trusted for this environment.`,
        fix: `Use a certificate issued by a CA of the CA/Browser Forum, or ask an administrator to authorise ${nameOf(end.root)} for this environment.`,
        ...said(end.root === leaf ? 'chain_self_signed' : 'chain_untrusted_root', { leaf: nameOf(leaf), root: nameOf(end.root) }),
      };
    case 'issuer_missing':
      return {
        check: 'chain',
        ok: false,
        message: `${nameOf(end.subjectOf)} is issued by ${issuerNameOf(end.subjectOf)}, which the server did not send and which is not a trusted root, so the chain cannot be verified.`,
        fix: `Install the full chain on the server, including the intermediate ${issuerNameOf(end.subjectOf)}; if that CA is private, ask an administrator to authorise its root.`,
        ...said('chain_issuer_missing', { subject: nameOf(end.subjectOf), issuer: issuerNameOf(end.subjectOf) }),
      };
    case 'invalid':
      return {
        check: 'chain',
        ok: false,
        message: `The chain of ${nameOf(leaf)} is invalid: ${end.reason}.`,
        fix: 'Install a certificate chain issued by a proper CA hierarchy.',
        ...said('chain_invalid', { leaf: nameOf(leaf), reason: end.reason }),
      };
  }
}

function nameCheck(leaf: X509Certificate, fqdn: string): CertificateCheck {
  // The connection's own rules (tls-connect.ts): what Verify reports is what every call enforces.
  const matched = leaf.checkHost(fqdn, NAME_RULES);
  const dnsNames = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
  const names =
    dnsNames.length > 0
      ? `${dnsNames.join(', ')} (subject alternative names)`
      : cn === undefined
        ? 'none'
        : `${cn} (common name; no subject alternative names)`;
  if (matched !== undefined)
    return {
      check: 'name',
      ok: true,
      message: `The certificate names ${matched}, matching the service FQDN ${fqdn}.`,
      ...said('name_matches', { matched, fqdn }),
    };
  const ignoredCn =
    dnsNames.length > 0 && cn !== undefined && leaf.checkHost(fqdn, { subject: 'always' }) !== undefined
      ? ` Its common name ${cn} would match, but it is ignored because the certificate has subject alternative names.`
      : '';
  return {
    check: 'name',
    ok: false,
    message: `The certificate's names are ${names} but the service FQDN is ${fqdn}.${ignoredCn}`,
    fix: `Use a certificate whose subject alternative names include ${fqdn}, or register the service URL with a host name the certificate covers.`,
    // namesKind: san (the DNS names listed), cn (only a common name), none; ignoredCn: a matching CN the SANs override.
    ...said('name_mismatch', {
      fqdn,
      names: dnsNames.length > 0 ? dnsNames.join(', ') : (cn ?? ''),
      namesKind: dnsNames.length > 0 ? 'san' : cn === undefined ? 'none' : 'cn',
      ignoredCn: ignoredCn === '' ? '' : (cn ?? ''),
    }),
  };
}

function validityCheck(certs: X509Certificate[], now: Date): CertificateCheck {
  for (const cert of certs) {
    const from = cert.validFromDate;
    const to = cert.validToDate;
    const range = `valid from ${formatDate(from)} to ${formatDate(to)}`;
    const dates = { cert: nameOf(cert), from: formatDate(from), to: formatDate(to) };
    if (now < from) {
      return {
        check: 'validity',
        ok: false,
        message: `The certificate ${nameOf(cert)} is not valid yet: it is ${range} (starts in ${days(from.getTime() - now.getTime())}).`,
        fix: 'Install a certificate that is valid now, or check the server clock of the CA that issued it.',
        ...said('validity_not_yet', { ...dates, days: dayCount(from.getTime() - now.getTime()) }),
      };
    }
    if (now > to) {
      return {
        check: 'validity',
        ok: false,
        message: `The certificate ${nameOf(cert)} expired on ${formatDate(to)} (${days(now.getTime() - to.getTime())} ago); it was ${range}.`,
        fix: `Renew ${nameOf(cert)} and install the new certificate with its full chain.`,
        ...said('validity_expired', { ...dates, days: dayCount(now.getTime() - to.getTime()) }),
      };
    }
  }
  const leaf = certs[0];
  if (leaf === undefined) return { check: 'validity', ok: true, message: 'Nothing to check.', ...said('validity_nothing') };
  const expires = leaf.validToDate;
  return {
    check: 'validity',
    ok: true,
    message: `The certificate ${nameOf(leaf)} is valid from ${formatDate(leaf.validFromDate)} to ${formatDate(expires)} (expires in ${days(expires.getTime() - now.getTime())}).`,
    ...said('validity_ok', {
      cert: nameOf(leaf),
      from: formatDate(leaf.validFromDate),
      to: formatDate(expires),
      days: dayCount(expires.getTime() - now.getTime()),
    }),
  };
}

function keyStrengthCheck(certs: X509Certificate[]): CertificateCheck {
  const described: string[] = [];
  for (const cert of certs) {
    const verdict = keyVerdict(cert);
    if (!verdict.strong) {
      return {
        check: 'key_strength',
        ok: false,
        message: `The certificate ${nameOf(cert)} has ${article(verdict.description)} ${verdict.description} key; Varco requires RSA of at least ${MIN_RSA_BITS} bits or EC P-256 or stronger.`,
        fix: `Issue ${nameOf(cert)} again with an RSA ${MIN_RSA_BITS}+ or EC P-256+ key.`,
        ...said('key_weak', { cert: nameOf(cert), key: verdict.description, bits: String(MIN_RSA_BITS) }),
      };
    }
    described.push(`${nameOf(cert)}: ${verdict.description}`);
  }
  return { check: 'key_strength', ok: true, message: `Keys are strong enough (${described.join('; ')}).`, ...said('key_ok', { keys: described.join('; ') }) };
}

function keyVerdict(cert: X509Certificate): { strong: boolean; description: string } {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      return { strong: bits >= MIN_RSA_BITS, description: `RSA ${bits}-bit` };
    }
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown curve';
      const known = STRONG_CURVES[curve];
      return { strong: known !== undefined, description: `EC ${known ?? curve}` };
    }
    case 'ed25519':
    case 'ed448':
      return { strong: true, description: key.asymmetricKeyType };
    default:
      return { strong: false, description: key.asymmetricKeyType ?? 'unknown' };
  }
}

function fullChainCheck(leaf: X509Certificate, served: X509Certificate[], path: CertificatePath, roots: X509Certificate[]): CertificateCheck {
  // Roots are left out of what "was sent": serving one is allowed but useless (clients use their
  // own copy), and node's view of the peer chain may append the root from our trust store.
  const rootPrints = new Set(roots.map((root) => root.fingerprint256));
  const intermediatesSent = served.slice(1).filter((cert) => !rootPrints.has(cert.fingerprint256));
  const sentParams = { leaf: nameOf(leaf), sent: intermediatesSent.map(nameOf).join(', ') };
  const sent =
    intermediatesSent.length === 0
      ? `The server sent only its own certificate ${nameOf(leaf)}`
      : `The server sent its certificate ${nameOf(leaf)} and ${intermediatesSent.map(nameOf).join(', ')}`;
  const firstNotServed = path.notServed[0];
  const missing =
    path.end.kind === 'issuer_missing'
      ? path.end.subjectOf
      : firstNotServed === undefined
        ? undefined
        : path.certificates[path.certificates.indexOf(firstNotServed) - 1];
  if (missing !== undefined) {
    return {
      check: 'full_chain',
      ok: false,
      message: `${sent}; the intermediate ${issuerNameOf(missing)} that issued ${nameOf(missing)} is missing, and Varco does not fetch missing intermediates.`,
      fix: `Install the full chain on the server (or on the load balancer that terminates TLS): the certificate followed by the intermediate ${issuerNameOf(missing)}${path.notServed.length > 1 ? ' and the intermediates above it' : ''}.`,
      ...said('full_chain_missing', { ...sentParams, issuer: issuerNameOf(missing), subject: nameOf(missing), more: path.notServed.length > 1 ? 'yes' : '' }),
    };
  }
  if (path.end.kind === 'untrusted_root' && path.end.root === leaf)
    return {
      check: 'full_chain',
      ok: true,
      message: `${sent}; it is self-signed, so there is no chain to serve.`,
      ...said('full_chain_self_signed', sentParams),
    };
  const needed = path.certificates
    .slice(1)
    .filter((cert) => !rootPrints.has(cert.fingerprint256) && !(path.end.kind === 'untrusted_root' && cert === path.end.root)).length;
  return {
    check: 'full_chain',
    ok: true,
    message:
      needed === 0 ? `${sent}; it is issued directly by the root, so no intermediate is needed.` : `${sent}: every intermediate up to the root is included.`,
    ...said(needed === 0 ? 'full_chain_direct' : 'full_chain_complete', sentParams),
  };
}

function article(word: string): string {
  // "an RSA", "an EC", "an ed25519": these acronyms are read letter by letter.
  return /^[aeiouAEIOUR]/.test(word) ? 'an' : 'a';
}

function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function dayCount(ms: number): string {
  return String(Math.floor(ms / DAY_MS));
}

function days(ms: number): string {
  const count = Math.floor(ms / DAY_MS);
  return count === 1 ? '1 day' : `${count} days`;
}
