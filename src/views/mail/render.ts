import { html, raw } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { MAIL_FOOTER, MAIL_WORDING, type MailTemplate } from './wording.ts';
import type { MailWords } from './helpers.ts';

// Composes an e-mail from its wording: a subject, a plain-text part and an HTML part. Every value in
// the HTML is escaped (parameters come from organisations and referents); only http(s) links become
// anchors.

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const isWebLink = (value: string): boolean => /^https?:\/\/[^\s"<>]+$/i.test(value);

// Inline styles: most mail clients ignore <style> blocks.
const BODY = raw('font-family:Arial,Helvetica,sans-serif;color:#1d2430;line-height:1.5;max-width:36rem;margin:0 auto;padding:1rem');
const BUTTON = raw('display:inline-block;background:#12355b;color:#ffffff;padding:.6rem 1.2rem;border-radius:4px;text-decoration:none');

export function renderMail(template: MailTemplate, locale: Locale, params: Readonly<Record<string, string>>): RenderedMail {
  const words: MailWords = MAIL_WORDING[template][locale](params);
  const { footer, copyLink } = MAIL_FOOTER[locale];
  const link = params.link ?? '';
  // A subject is one header line.
  const subject = words.subject.replace(/[\r\n\t]+/g, ' ').trim();

  const text = [
    ...(words.greeting ? [words.greeting, ''] : []),
    ...words.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(link ? [`${words.action}:`, link, ''] : []),
    '-- ',
    footer,
    '',
  ].join('\n');

  const action =
    link && isWebLink(link)
      ? html`<p><a href="${link}" style="${BUTTON}">${words.action}</a></p>
<p style="font-size:.9em">${copyLink}<br><a href="${link}">${link}</a></p>`
      : link
        ? html`<p>${words.action}: ${link}</p>`
        : '';
  const body = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="${BODY}">
${words.greeting ? html`<p>${words.greeting}</p>` : ''}
${words.paragraphs.map((paragraph) => html`<p>${paragraph}</p>\n`)}${action}
<hr style="border:0;border-top:1px solid #ddd"><p style="font-size:.85em;color:#5b6472">${footer}</p>
</body></html>
`;
  return { subject, text, html: body.value };
}
