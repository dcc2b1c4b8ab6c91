import { html, type SafeHtml } from '../html.ts';
import { copyButton } from '../shared/copy.ts';
import type { Locale } from '../i18n.ts';
import { when } from './checks.ts';
import { envLabel } from './pages.ts';
import { stationStrings } from './strings.ts';

// The portal page offering Varco's platform client certificate of each environment (and the next
// one, once published) for download, so organisations can allow it before it is used.

export interface CertificateInfoView {
  subject: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface EnvironmentCertificatesView {
  env: 'test' | 'prod';
  ca: CertificateInfoView;
  current: CertificateInfoView;
  next: CertificateInfoView | undefined;
}

function info(locale: Locale, c: CertificateInfoView): SafeHtml {
  const t = stationStrings(locale);
  return html`<dl><dt>${t.subject}</dt><dd>${c.subject}</dd><dt>${t.fingerprint}</dt><dd><code data-fingerprint>${c.fingerprint}</code>${copyButton(locale, t.fingerprint)}</dd>
<dt>${t.validity}</dt><dd>${when(locale, c.notBefore)} ${t.until} ${when(locale, c.notAfter)}</dd></dl>`;
}

export function certificatesPage(locale: Locale, envs: EnvironmentCertificatesView[]): SafeHtml {
  const t = stationStrings(locale);
  return html`<p>${t.certificatesIntro}</p>
${envs.map(
  (e) => html`<section data-env="${e.env}"><h2>${envLabel(locale, e.env)}</h2>
<h3>${t.current}</h3>${info(locale, e.current)}
<p><a href="/portal/certificates/${e.env}/client.pem" download>${t.downloadClient}</a> · <a href="/portal/certificates/${e.env}/ca.pem" download>${t.downloadCa}</a></p>
<h3>${t.next}</h3>
${e.next ? html`${info(locale, e.next)}<p><a href="/portal/certificates/${e.env}/next-client.pem" download>${t.downloadNext}</a></p>` : html`<p>${t.noNext}</p>`}
</section>`,
)}`;
}
