import { env, optionalLine, p, type Params, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';

// Station review e-mails (outbound endpoints of an organisation): administrators are told a station
// waits for review; referents are told the outcome, with the administrator's note.

/** `station CODE of Org (environment)`, without an article (Italian needs della / alla / la). */
const station = (locale: Locale, params: Params): string =>
  locale === 'it'
    ? `stazione ${p(params, 'stationCode')} di ${p(params, 'organisationName')} (${env('it', params.environment)})`
    : `station ${p(params, 'stationCode')} of ${p(params, 'organisationName')} (${env('en', params.environment)})`;

const note = (locale: Locale, params: Params): string[] =>
  optionalLine(params.note, locale === 'it' ? "Nota dell'amministratore" : 'Note from the administrator');

export const STATION_WORDING = {
  station_submitted: {
    en: (params) => ({
      subject: `Station to review: ${p(params, 'stationCode')} of ${p(params, 'organisationName')} (${env('en', params.environment)})`,
      paragraphs: [
        `${p(params, 'organisationName')} registered or changed the ${station('en', params)}.`,
        'Review its endpoints in the back office: approve them, or ask for changes with a note.',
      ],
      action: 'Review the station',
    }),
    it: (params) => ({
      subject: `Stazione da esaminare: ${p(params, 'stationCode')} di ${p(params, 'organisationName')} (${env('it', params.environment)})`,
      paragraphs: [
        `${p(params, 'organisationName')} ha registrato o modificato la ${station('it', params)}.`,
        'Esamina i suoi endpoint nel back office: approvali, oppure chiedi modifiche con una nota.',
      ],
      action: 'Esamina la stazione',
    }),
  },
  station_approved: {
    en: (params) => ({
      subject: `Station approved: ${p(params, 'stationCode')}`,
      greeting: `Hello ${p(params, 'firstName')},`,
      paragraphs: [`The endpoints of the ${station('en', params)} have been approved: Varco delivers to them from now on.`, ...note('en', params)],
      action: 'Open the station',
    }),
    it: (params) => ({
      subject: `Stazione approvata: ${p(params, 'stationCode')}`,
      greeting: `Ciao ${p(params, 'firstName')},`,
      paragraphs: [`Gli endpoint della ${station('it', params)} sono stati approvati: da ora Varco invia a questi indirizzi.`, ...note('it', params)],
      action: 'Apri la stazione',
    }),
  },
  station_changes_requested: {
    en: (params) => ({
      subject: `Changes requested for station ${p(params, 'stationCode')}`,
      greeting: `Hello ${p(params, 'firstName')},`,
      paragraphs: [`The administrators ask for changes to the ${station('en', params)} before approving it.`, ...note('en', params)],
      action: 'Open the station',
    }),
    it: (params) => ({
      subject: `Modifiche richieste per la stazione ${p(params, 'stationCode')}`,
      greeting: `Ciao ${p(params, 'firstName')},`,
      paragraphs: [`Gli amministratori chiedono modifiche alla ${station('it', params)} prima di approvarla.`, ...note('it', params)],
      action: 'Apri la stazione',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
