import { env, formatInstant, greetingFor, p, type Params, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';

// Reachability and certificate e-mails (issue 4): a station that stopped answering, a certificate
// about to expire (an organisation's server certificate, or Varco's platform client certificate,
// told to administrators), and the next platform client certificate published before use.

const certificate = (params: Params): string => `"${p(params, 'certificateName')}" (SHA-256 ${p(params, 'fingerprint')})`;

export const CERTIFICATE_WORDING = {
  station_unreachable: {
    en: (params) => ({
      subject: `Station ${p(params, 'stationCode')} stopped answering (${env('en', params.environment)})`,
      ...greetingFor('en', params),
      paragraphs: [
        `The station ${p(params, 'stationCode')} of ${p(params, 'organisationName')} (${env('en', params.environment)}) was verified before, but the check of ${formatInstant('en', p(params, 'checkedAt'))} failed.`,
        `What failed: ${p(params, 'failedSteps')}.`,
        'Open the station in the developer portal to see every step, with what was seen and what to fix, then press Verify again.',
      ],
      action: 'Open the station',
    }),
    it: (params) => ({
      subject: `La stazione ${p(params, 'stationCode')} non risponde più (${env('it', params.environment)})`,
      ...greetingFor('it', params),
      paragraphs: [
        `La stazione ${p(params, 'stationCode')} di ${p(params, 'organisationName')} (${env('it', params.environment)}) era verificata, ma il controllo del ${formatInstant('it', p(params, 'checkedAt'))} non è riuscito.`,
        `Cosa non ha funzionato: ${p(params, 'failedSteps')}.`,
        'Apri la stazione nel portale sviluppatori per vedere ogni passo, con cosa è stato rilevato e cosa correggere, poi premi di nuovo Verifica.',
      ],
      action: 'Apri la stazione',
    }),
  },
  certificate_expiring: {
    en: (params) =>
      p(params, 'stationCode') === ''
        ? {
            subject: `Varco's ${env('en', params.environment)} client certificate expires in ${p(params, 'daysLeft')} days`,
            paragraphs: [
              `Varco's platform client certificate ${certificate(params)} for the ${env('en', params.environment)} environment expires on ${formatInstant('en', p(params, 'expiresAt'))}, in ${p(params, 'daysLeft')} days.`,
              `Publish the next one now with \`npx varco pki rotate-client --env ${p(params, 'environment')}\` so organisations can install it, and switch it in with \`npx varco pki activate-client\` before the current one expires.`,
            ],
            action: 'Open the back office',
          }
        : {
            subject: `Server certificate of station ${p(params, 'stationCode')} expires in ${p(params, 'daysLeft')} days`,
            ...greetingFor('en', params),
            paragraphs: [
              `The server certificate ${certificate(params)} of the station ${p(params, 'stationCode')} of ${p(params, 'organisationName')} (${env('en', params.environment)}) expires on ${formatInstant('en', p(params, 'expiresAt'))}, in ${p(params, 'daysLeft')} days.`,
              'Renew it and install the new certificate with its full chain before then; Varco refuses to connect to an expired certificate. Then press Verify in the developer portal.',
            ],
            action: 'Open the station',
          },
    it: (params) =>
      p(params, 'stationCode') === ''
        ? {
            subject: `Il certificato client di Varco per ${env('it', params.environment)} scade tra ${p(params, 'daysLeft')} giorni`,
            paragraphs: [
              `Il certificato client della piattaforma Varco ${certificate(params)} per l'ambiente di ${env('it', params.environment)} scade il ${formatInstant('it', p(params, 'expiresAt'))}, tra ${p(params, 'daysLeft')} giorni.`,
              `Pubblica subito il prossimo con \`npx varco pki rotate-client --env ${p(params, 'environment')}\`, così le organizzazioni possono installarlo, e attivalo con \`npx varco pki activate-client\` prima che scada quello attuale.`,
            ],
            action: 'Apri il back office',
          }
        : {
            subject: `Il certificato server della stazione ${p(params, 'stationCode')} scade tra ${p(params, 'daysLeft')} giorni`,
            ...greetingFor('it', params),
            paragraphs: [
              `Il certificato server ${certificate(params)} della stazione ${p(params, 'stationCode')} di ${p(params, 'organisationName')} (${env('it', params.environment)}) scade il ${formatInstant('it', p(params, 'expiresAt'))}, tra ${p(params, 'daysLeft')} giorni.`,
              'Rinnovalo e installa il nuovo certificato con la catena completa entro quella data: Varco non si collega a un certificato scaduto. Poi premi Verifica nel portale sviluppatori.',
            ],
            action: 'Apri la stazione',
          },
  },
  client_certificate_published: {
    en: (params) => ({
      subject: `Varco's next ${env('en', params.environment)} client certificate is published`,
      ...greetingFor('en', params),
      paragraphs: [
        `Varco published the next client certificate it will present when calling ${p(params, 'organisationName')} in the ${env('en', params.environment)} environment: ${certificate(params)}, valid from ${formatInstant('en', p(params, 'notBefore'))} to ${formatInstant('en', p(params, 'notAfter'))}.`,
        'It is not used yet. Download it from the developer portal and allow it on your servers now (it is issued by the same platform CA), in particular if your servers accept only one specific certificate.',
      ],
      action: 'Download the certificate',
    }),
    it: (params) => ({
      subject: `Pubblicato il prossimo certificato client di Varco per ${env('it', params.environment)}`,
      ...greetingFor('it', params),
      paragraphs: [
        `Varco ha pubblicato il prossimo certificato client che presenterà chiamando ${p(params, 'organisationName')} nell'ambiente di ${env('it', params.environment)}: ${certificate(params)}, valido dal ${formatInstant('it', p(params, 'notBefore'))} al ${formatInstant('it', p(params, 'notAfter'))}.`,
        'Non è ancora in uso. Scaricalo dal portale sviluppatori e abilitalo ora sui tuoi server (è emesso dalla stessa CA della piattaforma), in particolare se i tuoi server accettano uno specifico certificato.',
      ],
      action: 'Scarica il certificato',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
