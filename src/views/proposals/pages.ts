import { html, type SafeHtml } from '../html.ts';
import { formatDateTime } from '../format.ts';
import type { Locale } from '../i18n.ts';
import { proposalStrings, type FactLabel } from './strings.ts';
import { messageBox } from '../shared/message.ts';

type ProposalStrings = ReturnType<typeof proposalStrings>;

// Back office pages of four-eyes proposals: the list (pending first) and one proposal with Approve and
// Reject. The proposer sees the same page without the buttons, told that another administrator decides.

export type ProposalKindView =
  'subscription.approve' | 'subscription.reactivate' | 'station.approve' | 'api_key.regenerate' | 'trust.add' | 'pki.rotate_client' | 'pagopa.partner_link';
export type ProposalStateView = 'pending' | 'approved' | 'rejected' | 'expired' | 'executed' | 'failed';

export interface ProposalRowView {
  id: string;
  kind: ProposalKindView;
  environment: string;
  /** The subject in words: a subscription's or station's name, a CA's scope, … (plain text). */
  subject: string;
  state: ProposalStateView;
  proposerEmail: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ProposalDetailView extends ProposalRowView {
  deciderEmail: string | null;
  decidedAt: Date | null;
  comment: string | null;
  outcome: string | null;
  /** The signed-in administrator proposed it: no buttons. */
  own: boolean;
  csrf: string;
  history: Array<{ at: Date; action: string; actor: string }>;
  /** What the proposal is about, as its owner describes it now. */
  about: AboutView;
}

/** The subject's organisation, name (linked to its page) and facts to check, as plain values. */
export interface AboutView {
  organisation?: string;
  name?: string;
  href?: string;
  facts?: ReadonlyArray<{ label: FactLabel; value: string }>;
}

function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h`;
}

export function actionInWords(locale: Locale, p: Pick<ProposalRowView, 'kind' | 'subject' | 'environment'>): string {
  return `${proposalStrings(locale).kinds[p.kind]}: ${p.subject} (${p.environment})`;
}

export function proposalsListPage(locale: Locale, rows: ProposalRowView[], now: Date): SafeHtml {
  const t = proposalStrings(locale);
  if (rows.length === 0) return html`<p>${t.intro}</p><p>${t.none}</p>`;
  const body = rows.map(
    (p) => html`<tr data-state="${p.state}"><td><a href="/admin/proposals/${p.id}">${actionInWords(locale, p)}</a></td>
<td>${t.states[p.state]}</td><td>${p.proposerEmail}</td><td>${age(p.createdAt, now)}</td><td>${formatDateTime(locale, p.expiresAt)}</td></tr>`,
  );
  return html`<p>${t.intro}</p>
<table><thead><tr><th>${t.action}</th><th>${t.state}</th><th>${t.proposer}</th><th>${t.age}</th><th>${t.expires}</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

const field = (label: string, value: string | SafeHtml): SafeHtml => html`<dt>${label}</dt><dd>${value}</dd>`;

/** The subject in the owner's words: who, which one (linked to its page), and the facts to check. */
function aboutSection(t: ProposalStrings, about: AboutView): SafeHtml {
  const facts = about.facts ?? [];
  if (about.organisation === undefined && about.name === undefined && facts.length === 0) return html``;
  const name = about.name === undefined ? '' : about.href === undefined ? about.name : html`<a href="${about.href}">${about.name}</a>`;
  return html`<h2>${t.about}</h2><dl id="proposal-about">${about.organisation === undefined ? '' : field(t.organisation, about.organisation)}${
    about.name === undefined ? '' : field(t.subjectName, name)
  }${facts.map((f) => field(t.facts[f.label], html`<code>${f.value}</code>`))}</dl>`;
}

export function proposalPage(locale: Locale, p: ProposalDetailView, message?: { kind: 'notice' | 'error'; text: string }): SafeHtml {
  const t = proposalStrings(locale);
  const decide =
    p.state !== 'pending'
      ? html``
      : p.own
        ? html`<p class="notice" id="own-proposal">${t.ownProposal}</p>`
        : html`<form method="post" action="/admin/proposals/${p.id}/approve"><input type="hidden" name="_csrf" value="${p.csrf}"><button type="submit">${t.approve}</button></form>
<form method="post" action="/admin/proposals/${p.id}/reject"><input type="hidden" name="_csrf" value="${p.csrf}">
<label for="comment">${t.rejectComment}</label><textarea id="comment" name="comment" maxlength="1000"></textarea><button type="submit">${t.reject}</button></form>`;
  const history = p.history.map((h) => html`<li>${formatDateTime(locale, h.at)} · ${h.action} · ${h.actor}</li>`);
  return html`${messageBox(message)}
<dl>${field(t.action, actionInWords(locale, p))}${field(t.state, html`<span id="proposal-state">${t.states[p.state]}</span>`)}
${field(t.proposer, p.proposerEmail)}${field(t.created, formatDateTime(locale, p.createdAt))}${field(t.expires, formatDateTime(locale, p.expiresAt))}
${p.deciderEmail ? field(t.decider, html`<span id="proposal-decider">${p.deciderEmail}</span>`) : ''}${p.comment ? field(t.comment, p.comment) : ''}
${p.outcome ? field(t.outcome, p.outcome) : ''}</dl>
${aboutSection(t, p.about)}
${decide}
<h2>${t.history}</h2><ul id="proposal-history">${history}</ul>`;
}
