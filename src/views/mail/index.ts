export { renderMail } from './render.ts';
export type { RenderedMail } from './render.ts';
export { MAIL_WORDING } from './wording.ts';
export { formatInstant } from './helpers.ts';
export type { MailTemplate } from './wording.ts';
export type { MailWords } from './helpers.ts';
