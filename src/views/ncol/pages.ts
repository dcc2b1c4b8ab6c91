import { html, type SafeHtml } from '../html.ts';
import { PAY_CSS_INTEGRITY, PAY_JS_INTEGRITY } from './assets.ts';
import { lookIntegrity, lookStylesheet, type LookView } from './look.ts';
import { htmlLang, ncErrorSentence, payStrings, type PayStrings } from './strings.ts';

// Server-rendered pages of the hosted payment page. No inline script or style (strict CSP); every
// asset is Varco's own, with Subresource Integrity. Forms are labelled, in document order, and
// errors are tied to their fields (aria-invalid, aria-describedby) and announced (role=alert).

export const PAY_CSS_PATH = '/ncol/assets/pay.css';
export const PAY_JS_PATH = '/ncol/assets/pay.js';

interface Frame {
  language: string;
  title: string;
  env: 'test' | 'prod';
  look?: LookView;
  /** The per-order stylesheet (look and feel), when the look sets any style. */
  lookHref?: string;
  script?: boolean;
  body: SafeHtml;
}

function frame(f: Frame): string {
  const t = payStrings(f.language);
  const styled = f.look !== undefined && f.lookHref !== undefined && lookStylesheet(f.look) !== '';
  return html`<!doctype html>
<html lang="${htmlLang(f.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${f.title}</title>
<link rel="stylesheet" href="${PAY_CSS_PATH}" integrity="${PAY_CSS_INTEGRITY}" crossorigin="anonymous">
${styled && f.look && f.lookHref ? html`<link rel="stylesheet" href="${f.lookHref}" integrity="${lookIntegrity(f.look)}" crossorigin="anonymous">` : ''}
${f.script ? html`<script src="${PAY_JS_PATH}" integrity="${PAY_JS_INTEGRITY}" crossorigin="anonymous" defer></script>` : ''}
</head>
<body>
<main>
${f.env === 'test' ? html`<p class="test" role="note">${t.testBanner}</p>` : ''}
${f.body}
</main>
</body></html>`.value;
}

/** The generic error page: never the reason (the merchant reads it in his error log). */
export function errorPage(language: string, env: 'test' | 'prod'): string {
  const t = payStrings(language);
  return frame({
    language,
    env,
    title: t.errorTitle,
    body: html`<h1>${t.errorTitle}</h1>
<p>${t.errorBody}</p>
<p>${t.errorOwner}</p>`,
  });
}

export interface ProcessedOrderView {
  /** paid; being processed or verified (99, 52, 92); finally declined (2, 93); closed by a later operation. */
  kind: 'paid' | 'pending' | 'declined' | 'closed';
  orderRef: string;
  shopUrl?: string;
}

/**
 * An ORDERID entered again that cannot be paid again: says why (paid, being processed or verified,
 * declined, processed), with its reference and the way back to the shop. "Already paid" only when it was.
 */
export function processedOrderPage(language: string, env: 'test' | 'prod', v: ProcessedOrderView): string {
  const t = payStrings(language);
  const { title, paragraphs } = {
    paid: { title: t.alreadyPaidTitle, paragraphs: [t.alreadyPaidBody] },
    pending: { title: t.pendingTitle, paragraphs: [t.pendingBody] },
    declined: { title: t.processedTitle, paragraphs: [t.denied, t.processedBody] },
    closed: { title: t.processedTitle, paragraphs: [t.processedBody] },
  }[v.kind];
  return frame({
    language,
    env,
    title,
    body: html`<h1>${title}</h1>
${paragraphs.map((p) => html`<p>${p}</p>`)}
<p>${t.reference}: <strong data-order-ref>${v.orderRef}</strong></p>
${v.shopUrl ? html`<p><a href="${v.shopUrl}">${t.home}</a></p>` : ''}`,
  });
}

/** 429: too many requests from one address or for one PSPID; says when to try again, nothing else. */
export function busyPage(language: string, env: 'test' | 'prod', seconds: number): string {
  const t = payStrings(language);
  return frame({
    language,
    env,
    title: t.busyTitle,
    body: html`<h1>${t.busyTitle}</h1>
<p>${t.busyBody.replace('{seconds}', String(seconds))}</p>`,
  });
}

export interface OrderSummaryView {
  merchantName: string;
  orderRef: string;
  /** Already formatted for the currency and language. */
  amount: string;
  description?: string;
}

function summary(t: PayStrings, o: OrderSummaryView): SafeHtml {
  return html`<table class="summary">
<tr><th scope="row">${t.merchant}</th><td>${o.merchantName}</td></tr>
<tr><th scope="row">${t.orderRef}</th><td>${o.orderRef}</td></tr>
${o.description ? html`<tr><th scope="row">${t.description}</th><td>${o.description}</td></tr>` : ''}
<tr class="total"><th scope="row">${t.amount}</th><td>${o.amount}</td></tr>
</table>`;
}

export type CardFieldName = 'holder' | 'number' | 'expiry' | 'cvc';

export interface PayPageView {
  language: string;
  env: 'test' | 'prod';
  order: OrderSummaryView;
  look: LookView;
  lookHref: string;
  /** Form actions (same origin). */
  action: string;
  cancelAction: string;
  token: string;
  /** Prefill: the request's CN, or what was typed (never the number or the CVC). */
  holder: string;
  expiry: string;
  refused: boolean;
  /** NCERROR of the last refusal: the page says why in the platform's words (translated). */
  ncError?: string | null;
  problems: ReadonlyArray<{ field: CardFieldName; code: string }>;
  /** The stored card the order's ALIAS names (masked; never the number), offered before the card form. */
  stored?: { brand: string; number: string; expiry: string };
  /** ALIASUSAGE: why the shop keeps the card typed here. */
  aliasUsage?: string;
}

function problemText(t: PayStrings, code: string): string {
  if (code === 'required') return t.required;
  if (code === 'luhn' || code === 'length') return t.luhn;
  if (code === 'brand_unsupported' || code === 'brand_not_allowed') return t.brand;
  if (code === 'expired') return t.expired;
  return t.invalid;
}

interface FieldSpec {
  name: CardFieldName;
  id: string;
  label: string;
  hint?: string;
  autocomplete: string;
  inputmode?: string;
  maxlength: number;
  value: string;
}

function field(t: PayStrings, v: PayPageView, f: FieldSpec): SafeHtml {
  const problem = v.problems.find((p) => p.field === f.name);
  const errorId = `${f.id}-error`;
  const hintId = `${f.id}-hint`;
  const describedBy = [f.hint ? hintId : '', problem ? errorId : ''].filter(Boolean).join(' ');
  return html`<div><label for="${f.id}">${f.label}${f.hint ? html` <span class="hint" id="${hintId}">${f.hint}</span>` : ''}</label>
<input id="${f.id}" name="${f.name}" autocomplete="${f.autocomplete}" required maxlength="${f.maxlength}" value="${f.value}"
${f.inputmode ? html` inputmode="${f.inputmode}"` : ''}${f.name === 'number' ? html` data-luhn="${t.luhn}"` : ''}
${describedBy ? html` aria-describedby="${describedBy}"` : ''}${problem ? html` aria-invalid="true"` : ''}>
${problem ? html`<p class="field-error" id="${errorId}">${problemText(t, problem.code)}</p>` : ''}</div>`;
}

export function payPage(v: PayPageView): string {
  const t = payStrings(v.language);
  const title = v.look.title ?? `${t.payTitle} · ${v.order.merchantName}`;
  const body = html`${v.look.logo ? html`<img class="logo" src="${v.look.logo}" alt="${v.order.merchantName}">` : ''}
<h1>${title}</h1>
${summary(t, v.order)}
${v.refused ? html`<p class="alert" role="alert">${t.refused}${reason(t, v.ncError)}</p>` : ''}
${v.problems.length > 0 ? html`<p class="alert" role="alert">${t.problemsTitle} ${v.problems.map((p, i) => html`${i > 0 ? ' · ' : ''}${labelOf(t, p.field)}: ${problemText(t, p.code)}`)}</p>` : ''}
${v.stored ? storedCardForm(t, v, v.stored) : ''}
${v.aliasUsage ? html`<p class="note">${t.aliasNotice} ${v.aliasUsage}</p>` : ''}
<form method="post" action="${v.action}" accept-charset="utf-8">
<input type="hidden" name="token" value="${v.token}">
${field(t, v, { name: 'holder', id: 'holder', label: t.holder, autocomplete: 'cc-name', maxlength: 35, value: v.holder })}
${field(t, v, { name: 'number', id: 'card-number', label: t.number, autocomplete: 'cc-number', inputmode: 'numeric', maxlength: 23, value: '' })}
<div class="row">
${field(t, v, { name: 'expiry', id: 'expiry', label: t.expiry, hint: t.expiryHint, autocomplete: 'cc-exp', maxlength: 7, value: v.expiry })}
${field(t, v, { name: 'cvc', id: 'cvc', label: t.cvc, hint: t.cvcHint, autocomplete: 'cc-csc', inputmode: 'numeric', maxlength: 4, value: '' })}
</div>
<div class="actions"><button type="submit" class="pay">${t.pay} ${v.order.amount}</button></div>
</form>
<form method="post" action="${v.cancelAction}" accept-charset="utf-8">
<input type="hidden" name="token" value="${v.token}">
<div class="actions"><button type="submit" class="secondary">${t.cancel}</button></div>
</form>`;
  return frame({ language: v.language, env: v.env, title, look: v.look, lookHref: v.lookHref, script: true, body });
}

/** The stored card, masked, with its own form: only the CVC is typed (it is never stored). */
function storedCardForm(t: PayStrings, v: PayPageView, card: NonNullable<PayPageView['stored']>): SafeHtml {
  const expiry = `${card.expiry.slice(0, 2)}/${card.expiry.slice(2)}`;
  return html`<section class="stored" aria-labelledby="stored-title">
<h2 id="stored-title">${t.storedTitle}</h2>
<p data-stored-card>${card.brand} ${card.number} · ${t.expiry} ${expiry}</p>
<form method="post" action="${v.action}" accept-charset="utf-8">
<input type="hidden" name="token" value="${v.token}">
<input type="hidden" name="stored" value="1">
<div><label for="stored-cvc">${t.cvc} <span class="hint" id="stored-cvc-hint">${t.cvcHint}</span></label>
<input id="stored-cvc" name="cvc" autocomplete="cc-csc" inputmode="numeric" maxlength="4" aria-describedby="stored-cvc-hint"></div>
<div class="actions"><button type="submit" class="pay">${t.payStored} ${v.order.amount}</button></div>
</form>
<p>${t.newCard}</p>
</section>`;
}

/** ` Authorization declined (error code 30051001)`, or nothing when the code is not one the page explains. */
function reason(t: PayStrings, ncError: string | null | undefined): string {
  const sentence = ncErrorSentence(t, ncError);
  return sentence === '' ? '' : ` ${sentence}`;
}

function labelOf(t: PayStrings, field: CardFieldName): string {
  return field === 'holder' ? t.holder : field === 'number' ? t.number : field === 'expiry' ? t.expiry : t.cvc;
}

/** The challenge page shows the order like the payment page, with its own form action. */
export type ChallengePageView = Pick<PayPageView, 'language' | 'env' | 'order' | 'look' | 'lookHref' | 'action' | 'token'>;

/** The test acquirer's simulated 3-D Secure check: two buttons. */
export function challengePage(v: ChallengePageView): string {
  const t = payStrings(v.language);
  return frame({
    language: v.language,
    env: v.env,
    title: t.challengeTitle,
    look: v.look,
    lookHref: v.lookHref,
    body: html`<h1>${t.challengeTitle}</h1>
${summary(t, v.order)}
<p>${t.challengeBody}</p>
<form method="post" action="${v.action}" accept-charset="utf-8">
<input type="hidden" name="token" value="${v.token}">
<div class="actions"><button type="submit" name="decision" value="approve" class="pay">${t.approve}</button>
<button type="submit" name="decision" value="decline" class="secondary">${t.decline}</button></div>
</form>`,
  });
}

export interface ResultPageView {
  language: string;
  env: 'test' | 'prod';
  order: OrderSummaryView;
  state: 'accepted' | 'denied' | 'processing';
  /** NCERROR of the outcome: a denied payment says why. */
  ncError?: string | null;
  homeUrl?: string;
  catalogUrl?: string;
}

/** Varco's own result page, when no merchant URL applies (or the order is already finished). */
export function resultPage(v: ResultPageView): string {
  const t = payStrings(v.language);
  const text = v.state === 'accepted' ? t.accepted : v.state === 'denied' ? t.denied : t.processing;
  return frame({
    language: v.language,
    env: v.env,
    title: text,
    body: html`<h1>${text}</h1>
${summary(t, v.order)}
<p class="notice" role="status">${text}${v.state === 'denied' ? reason(t, v.ncError) : ''}</p>
${v.homeUrl ? html`<p><a href="${v.homeUrl}">${t.home}</a></p>` : ''}
${v.catalogUrl ? html`<p><a href="${v.catalogUrl}">${t.catalog}</a></p>` : ''}`,
  });
}
