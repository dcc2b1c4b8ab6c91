import type { Locale } from '../i18n.ts';
import type { Wording } from './helpers.ts';
import { ONBOARDING_WORDING } from './onboarding.ts';
import { STATION_WORDING } from './stations.ts';
import { CERTIFICATE_WORDING } from './certificates.ts';
import { MERCHANT_WORDING } from './merchant.ts';
import { PAGOPA_WORDING } from './pagopa.ts';
import { DELIVERY_WORDING } from './delivery.ts';
import { ACCOUNT_WORDING } from './account.ts';

// What each e-mail says, in English and Italian. The parameter names match the delivery module's
// list (MAIL_TEMPLATE_PARAMS); a test renders every template in both locales.

export const MAIL_WORDING = {
  ...ONBOARDING_WORDING,
  ...STATION_WORDING,
  ...CERTIFICATE_WORDING,
  ...MERCHANT_WORDING,
  ...PAGOPA_WORDING,
  ...DELIVERY_WORDING,
  ...ACCOUNT_WORDING,
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;

export type MailTemplate = keyof typeof MAIL_WORDING;

export const MAIL_FOOTER: Record<Locale, { footer: string; copyLink: string }> = {
  en: { footer: 'This message was sent by Varco; replies are not read.', copyLink: 'If the button does not work, copy this address into your browser:' },
  it: {
    footer: 'Questo messaggio è stato inviato da Varco; le risposte non vengono lette.',
    copyLink: 'Se il pulsante non funziona, copia questo indirizzo nel browser:',
  },
};
