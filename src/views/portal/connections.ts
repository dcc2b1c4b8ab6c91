import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';

// The connection picture of the portal's home (issue 14): per environment, the organisation calls
// Varco with its API key (the arrow in) and Varco calls each station on the organisation's sites
// over mutual TLS (an arrow out per station). Each arrow is coloured by its last check AND says it
// in words with a sign (✔ ✖ –), so colour is never the only signal. Server-rendered inline SVG
// (no script; colours are SVG attributes, which the CSP's style-src does not govern), with a
// title and a description that read the whole picture out (role="img").

export type LinkState = 'verified' | 'failing' | 'never';

export interface ConnectionEnvironmentView {
  env: 'test' | 'prod';
  /** The API key arrow: absent when the organisation has no subscription in this environment. */
  inbound: LinkState | null;
  stations: ReadonlyArray<{ id: string; code: string; host: string; state: LinkState }>;
}

const EN = {
  heading: 'Your connections',
  env: { test: 'Test', prod: 'Production' },
  title: (env: string) => `Connections in ${env}`,
  organisation: 'Your organisation',
  apiKey: 'API key',
  mtls: 'mutual TLS',
  state: { verified: '✔ verified', failing: '✖ failing', never: '– never checked' },
  inboundText: (state: string) => `Your organisation calls Varco with its API key: ${state}.`,
  outboundText: (station: string, state: string) => `Varco calls station ${station} over mutual TLS: ${state}.`,
  none: 'Nothing connected in this environment yet.',
  legend:
    'In: your systems call Varco with the API key (verified once a call was accepted). Out: Varco calls your stations with its client certificate (the last verification).',
};
const IT: typeof EN = {
  heading: 'Le tue connessioni',
  env: { test: 'Collaudo', prod: 'Produzione' },
  title: (env: string) => `Connessioni in ${env}`,
  organisation: 'La tua organizzazione',
  apiKey: 'Chiave API',
  mtls: 'TLS reciproco',
  state: { verified: '✔ verificata', failing: '✖ in errore', never: '– mai verificata' },
  inboundText: (state: string) => `La tua organizzazione chiama Varco con la chiave API: ${state}.`,
  outboundText: (station: string, state: string) => `Varco chiama la stazione ${station} con TLS reciproco: ${state}.`,
  none: 'Ancora nulla di collegato in questo ambiente.',
  legend:
    'Entrata: i tuoi sistemi chiamano Varco con la chiave API (verificata dopo una chiamata accettata). Uscita: Varco chiama le tue stazioni con il suo certificato client (ultima verifica).',
};
/** For the test that compares the languages (test/support/string-tables.ts). */
export const CONNECTION_TABLES = { connections: { en: EN, it: IT } };

const COLOUR: Record<LinkState, string> = { verified: '#1b7a3a', failing: '#a4161a', never: '#5b6472' };
const W = 360;
const ROW = 64;
const short = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function arrow(id: string, y: number, state: LinkState, label: string, direction: 'in' | 'out', data: SafeHtml): SafeHtml {
  const [from, to] = direction === 'in' ? [140, 212] : [212, 140];
  return html`<g data-arrow="${direction}" data-state="${state}" ${data}><line x1="${from}" y1="${y}" x2="${to}" y2="${y}" stroke="${COLOUR[state]}" stroke-width="3"${state === 'never' ? html` stroke-dasharray="6 4"` : ''} marker-end="url(#${id}-${state})"/>
<text x="176" y="${y - 8}" text-anchor="middle" font-size="10" fill="${COLOUR[state]}">${label}</text></g>`;
}

function box(x: number, y: number, w: number, h: number, lines: readonly string[]): SafeHtml {
  return html`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6" fill="#fff" stroke="#12355b"/>${lines.map(
    (line, i) =>
      html`<text x="${x + w / 2}" y="${y + h / 2 + (i - (lines.length - 1) / 2) * 13 + 4}" text-anchor="middle" font-size="11" fill="#1d2430">${line}</text>`,
  )}`;
}

function environmentPicture(locale: Locale, organisation: string, e: ConnectionEnvironmentView): SafeHtml {
  const s = locale === 'it' ? IT : EN;
  const id = `conn-${e.env}`;
  const height = 24 + ROW * (1 + e.stations.length);
  const words = [
    ...(e.inbound ? [s.inboundText(s.state[e.inbound])] : []),
    ...e.stations.map((st) => s.outboundText(st.host ? `${st.code} (${st.host})` : st.code, s.state[st.state])),
  ];
  const markers = (['verified', 'failing', 'never'] as const).map(
    (state) =>
      html`<marker id="${id}-${state}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLOUR[state]}"/></marker>`,
  );
  return html`<figure data-env="${e.env}"><svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${W} ${height}" width="100%" class="connections">
<title id="${id}-title">${s.title(s.env[e.env])}</title><desc id="${id}-desc">${words.join(' ')}</desc>
<defs>${markers}</defs>
${box(10, 12, 130, 44, [short(organisation, 22)])}
${box(212, 12, 138, height - 24, ['Varco'])}
${e.inbound ? arrow(id, 34, e.inbound, `${s.apiKey} · ${s.state[e.inbound]}`, 'in', html`data-env="${e.env}"`) : ''}
${e.stations.map((st, i) => {
  const y = 12 + ROW * (i + 1);
  return html`${box(10, y, 130, 44, st.host ? [short(st.code, 22), short(st.host, 22)] : [short(st.code, 22)])}${arrow(id, y + 22, st.state, `${s.mtls} · ${s.state[st.state]}`, 'out', html`data-station="${st.id}"`)}`;
})}
</svg><figcaption>${s.env[e.env]}</figcaption></figure>`;
}

export function connectionsSection(locale: Locale, organisation: string, environments: readonly ConnectionEnvironmentView[]): SafeHtml {
  const s = locale === 'it' ? IT : EN;
  const shown = environments.filter((e) => e.inbound !== null || e.stations.length > 0);
  return html`<section aria-labelledby="connections" class="connections"><h2 id="connections">${s.heading}</h2>
${shown.length === 0 ? html`<p>${s.none}</p>` : html`<p><small>${s.legend}</small></p>${shown.map((e) => environmentPicture(locale, organisation, e))}`}
</section>`;
}
