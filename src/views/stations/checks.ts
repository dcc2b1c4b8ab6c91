import { html, raw, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { stationStrings, stepName, triggerName } from './strings.ts';
import { stepText, type CheckSaid } from './step-text.ts';

// A reachability check as the portal and the back office show it: for each endpoint every step
// with a green or red verdict, its timing, what was seen and what to fix; then the inbound step.

export type StepStatus = 'passed' | 'warning' | 'failed' | 'skipped';

export interface StepView {
  step: string;
  status: StepStatus;
  durationMs: number;
  message: string;
  fix?: string | undefined;
  /** Stable code of what was seen: translated when strings.ts knows it. */
  code?: string | undefined;
  params?: Record<string, string> | undefined;
  /** The server certificate step's individual checks, each with its own code. */
  checks?: readonly CheckSaid[] | undefined;
}

export interface EndpointCheckView {
  role: 'primary' | 'secondary';
  url: string;
  ip: string;
  port: number;
  ok: boolean;
  steps: StepView[];
}

export interface CheckView {
  id: string;
  /** The station version checked (null: a check from before versions were recorded). */
  versionId: string | null;
  startedAt: Date;
  trigger: string;
  ok: boolean;
  durationMs: number;
  endpoints: EndpointCheckView[];
  inbound: { ok: boolean; lastPingAt: string | null };
}

const ICONS: Record<StepStatus, string> = { passed: '\u2714', warning: '\u26a0', failed: '\u2718', skipped: '\u2013' };

export const when = (locale: Locale, d: Date | string | null | undefined): string => formatDateTime(locale, d, { seconds: true });

function verdict(locale: Locale, status: StepStatus): SafeHtml {
  const t = stationStrings(locale);
  // Colours come from the stylesheet (.verdict-passed …): the CSP refuses inline styles.
  return html`<span class="verdict verdict-${status}" data-status="${status}">${raw(ICONS[status])} ${t[status]}</span>`;
}

function endpointTable(locale: Locale, endpoint: EndpointCheckView): SafeHtml {
  const t = stationStrings(locale);
  const title = endpoint.role === 'primary' ? t.primary : t.secondary.replace(/,.*$/, '');
  return html`<section class="endpoint-check" data-role="${endpoint.role}" data-ok="${endpoint.ok ? 'true' : 'false'}">
<h3>${title}: <code>${endpoint.url}</code> → <code>${endpoint.ip}:${endpoint.port}</code> ${verdict(locale, endpoint.ok ? 'passed' : 'failed')}</h3>
<table><thead><tr><th>${t.step}</th><th>${t.verdict}</th><th>${t.timing}</th><th>${t.seen}</th><th>${t.fix}</th></tr></thead><tbody>
${endpoint.steps.map((s) => {
  const text = stepText(locale, s);
  return html`<tr data-step="${s.step}" data-status="${s.status}"${s.code ? html` data-code="${s.code}"` : ''}><td>${stepName(locale, s.step)}</td><td>${verdict(locale, s.status)}</td>
<td>${s.status === 'skipped' ? '' : `${s.durationMs} ms`}</td><td>${text.message}</td><td>${text.fix ?? ''}</td></tr>`;
})}
</tbody></table></section>`;
}

/** The inbound step, with how to call ping when it has not succeeded yet. */
/** How a station's servers call ping: Varco's URL and, with the development certificate, the CA file for curl to trust (never -k). */
export interface PingHint {
  url: string;
  caFile: string | undefined;
}

export function inboundSection(locale: Locale, inbound: { ok: boolean; lastPingAt: string | null }, ping: PingHint): SafeHtml {
  const t = stationStrings(locale);
  // No ping yet is a step not taken, not a failure.
  const status: StepStatus = inbound.ok ? 'passed' : inbound.lastPingAt === null ? 'skipped' : 'failed';
  return html`<section class="inbound-check" data-ok="${inbound.ok ? 'true' : 'false'}">
<h3>${t.inbound} ${verdict(locale, status)}</h3>
<p>${inbound.ok && inbound.lastPingAt ? t.inboundOk.replace('{at}', when(locale, inbound.lastPingAt)) : t.inboundMissing}</p>
<p>${t.inboundHow}</p>
<pre><code>curl ${ping.caFile ? `--cacert ${ping.caFile} ` : ''}-H "Ocp-Apim-Subscription-Key: &lt;key&gt;" ${ping.url}</code></pre>
</section>`;
}

export function checkDetail(locale: Locale, check: CheckView, ping: PingHint): SafeHtml {
  const t = stationStrings(locale);
  return html`<div id="check" class="check" data-check="${check.id}" data-ok="${check.ok ? 'true' : 'false'}">
<p>${t.lastCheck}: ${when(locale, check.startedAt)} · ${t.trigger}: ${triggerName(locale, check.trigger)} · ${t.duration}: ${check.durationMs} ms · ${t.result}: ${verdict(locale, check.ok ? 'passed' : 'failed')}</p>
${check.endpoints.map((endpoint) => endpointTable(locale, endpoint))}
${inboundSection(locale, check.inbound, ping)}
</div>`;
}

/**
 * The check of a version under review, apart from the approved version's state: its verdict and every
 * step of its endpoints with what to fix, which is what the reviewer decides on.
 */
export function pendingCheckSection(locale: Locale, check: CheckView): SafeHtml {
  const t = stationStrings(locale);
  return html`<div id="pending-check" class="check" data-pending-check="${check.id}">
<p>${t.pendingCheck}: ${when(locale, check.startedAt)} · ${t.result}: ${verdict(locale, check.ok ? 'passed' : 'failed')}</p>
${check.endpoints.map((endpoint) => endpointTable(locale, endpoint))}
</div>`;
}

export function checkHistory(locale: Locale, checks: CheckView[]): SafeHtml {
  const t = stationStrings(locale);
  if (checks.length === 0) return html`<p>${t.noChecks}</p>`;
  const failedSteps = (c: CheckView): string =>
    c.endpoints
      .flatMap((e) => e.steps.filter((s) => s.status === 'failed').map((s) => `${triggerName(locale, e.role)}: ${stepName(locale, s.step)}`))
      .concat(c.inbound.ok ? [] : [triggerName(locale, 'inbound')])
      .join(', ');
  return html`<table class="check-history"><thead><tr><th>${t.lastCheck}</th><th>${t.trigger}</th><th>${t.result}</th><th>${t.duration}</th><th></th></tr></thead><tbody>
${checks.map((c) => html`<tr data-check="${c.id}"><td>${when(locale, c.startedAt)}</td><td>${triggerName(locale, c.trigger)}</td><td>${verdict(locale, c.ok ? 'passed' : 'failed')}</td><td>${c.durationMs} ms</td><td>${failedSteps(c)}</td></tr>`)}
</tbody></table>`;
}
