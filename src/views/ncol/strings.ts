// Texts of the hosted payment page in the languages its LANGUAGE parameter asks for most. Every
// value of the platform's LANGUAGE list is accepted; one Varco has no translation for is shown in
// the same language of another country (nl_BE → nl_NL), else in English (en_US)
// (docs/reference/ogone/hosted-page.md, "LANGUAGE").
import { HOSTED_NC_ERROR, HOSTED_NC_ERROR_TEXT, languageTag, pickTranslation } from '../../protocols/ogone/index.ts';

const E = HOSTED_NC_ERROR;
/** NCERRORs the customer is told about on the page: a refusal he may retry after, a failed 3-D Secure, an outcome. */
export const CUSTOMER_NC_ERRORS = [
  E.PAYMENT_REFUSED,
  E.AUTHORISATION_DECLINED,
  E.TECHNICAL_PROBLEM,
  E.AUTHENTICATION_FAILED,
  E.UNKNOWN_STATUS,
  E.CANCELLED_BY_BUYER,
] as const;
export type CustomerNcError = (typeof CUSTOMER_NC_ERRORS)[number];

export interface PayStrings {
  errorTitle: string;
  errorBody: string;
  errorOwner: string;
  /** 429: too many payment requests; `{seconds}` until the next is accepted. */
  busyTitle: string;
  busyBody: string;
  payTitle: string;
  merchant: string;
  orderRef: string;
  amount: string;
  description: string;
  testBanner: string;
  holder: string;
  number: string;
  expiry: string;
  expiryHint: string;
  cvc: string;
  cvcHint: string;
  pay: string;
  cancel: string;
  problemsTitle: string;
  refused: string;
  required: string;
  invalid: string;
  luhn: string;
  brand: string;
  expired: string;
  challengeTitle: string;
  challengeBody: string;
  approve: string;
  decline: string;
  processing: string;
  accepted: string;
  denied: string;
  home: string;
  catalog: string;
  /** The platform's text of each NCERROR the page explains (English: the platform's own words). */
  ncErrors: Readonly<Record<CustomerNcError, string>>;
  /** After the reason: `{code}` is the NCERROR, for the merchant's support. */
  errorCode: string;
  alreadyPaidTitle: string;
  alreadyPaidBody: string;
  /** An ORDERID sent again while its payment is being processed or its result verified (99, 52, 92). */
  pendingTitle: string;
  pendingBody: string;
  /** An ORDERID sent again after a final refusal, or closed by a later operation (the platform's 50001113). */
  processedTitle: string;
  processedBody: string;
  reference: string;
  /** The order's ALIAS names a card the shop keeps: the page offers it, masked. */
  storedTitle: string;
  payStored: string;
  newCard: string;
  /** ALIASUSAGE follows: why the shop keeps the card. */
  aliasNotice: string;
}

const en_US: PayStrings = {
  errorTitle: 'An error has occurred',
  errorBody: 'An error has occurred. Please try again later.',
  errorOwner: 'If you are the owner or the designer of this website, sign in to the Varco portal to see the details of the error.',
  busyTitle: 'Too many payment requests',
  busyBody: 'Too many payment requests arrived from your connection or for this shop. Please try again in {seconds} seconds.',
  payTitle: 'Payment',
  merchant: 'Merchant',
  orderRef: 'Order reference',
  amount: 'Total amount',
  description: 'Description',
  testBanner: 'Test environment: no real payment is made.',
  holder: 'Card holder name',
  number: 'Card number',
  expiry: 'Expiry date',
  expiryHint: 'MM/YY',
  cvc: 'Card verification code (CVC)',
  cvcHint: '3 digits on the back of the card, 4 on the front for American Express',
  pay: 'Pay',
  cancel: 'Cancel',
  problemsTitle: 'Please correct the following:',
  refused: 'Your payment was refused. You may try again, for example with another card.',
  required: 'This field is required.',
  invalid: 'This value is not valid.',
  luhn: 'This card number is not valid.',
  brand: 'This card is not accepted here.',
  expired: 'This card has expired.',
  challengeTitle: '3-D Secure authentication (simulated)',
  challengeBody: 'Your bank asks you to confirm this payment. This is the test environment\u2019s simulated check: choose the answer the test needs.',
  approve: 'Authenticate',
  decline: 'Fail authentication',
  processing: 'Your payment is being processed. Please do not pay again.',
  accepted: 'Your payment is accepted.',
  denied: 'The transaction has been denied.',
  home: 'Back to the shop',
  catalog: 'Continue shopping',
  ncErrors: {
    [E.PAYMENT_REFUSED]: HOSTED_NC_ERROR_TEXT[E.PAYMENT_REFUSED],
    [E.AUTHORISATION_DECLINED]: HOSTED_NC_ERROR_TEXT[E.AUTHORISATION_DECLINED],
    [E.TECHNICAL_PROBLEM]: HOSTED_NC_ERROR_TEXT[E.TECHNICAL_PROBLEM],
    [E.AUTHENTICATION_FAILED]: HOSTED_NC_ERROR_TEXT[E.AUTHENTICATION_FAILED],
    [E.UNKNOWN_STATUS]: HOSTED_NC_ERROR_TEXT[E.UNKNOWN_STATUS],
    [E.CANCELLED_BY_BUYER]: HOSTED_NC_ERROR_TEXT[E.CANCELLED_BY_BUYER],
  },
  errorCode: 'error code {code}',
  alreadyPaidTitle: 'This order is already paid',
  alreadyPaidBody: 'This order has already been paid (or its payment is in progress): it cannot be paid again. Nothing more was charged.',
  pendingTitle: 'The payment of this order is being processed',
  pendingBody: 'Its result is being verified. Please do not pay this order again: the shop will be told the outcome.',
  processedTitle: 'This order has already been processed',
  processedBody: 'It cannot be paid again with the same order reference. To buy, please go back to the shop.',
  reference: 'Order reference',
  storedTitle: 'Your saved card',
  payStored: 'Pay with this card',
  newCard: 'Or pay with another card:',
  aliasNotice: 'This shop will keep your card (never its security code) for:',
};

const it_IT: PayStrings = {
  errorTitle: 'Si è verificato un errore',
  errorBody: 'Si è verificato un errore. Riprova più tardi.',
  errorOwner: 'Se sei il proprietario o lo sviluppatore di questo sito, accedi al portale Varco per vedere i dettagli dell\u2019errore.',
  busyTitle: 'Troppe richieste di pagamento',
  busyBody: 'Sono arrivate troppe richieste di pagamento dalla tua connessione o per questo negozio. Riprova tra {seconds} secondi.',
  payTitle: 'Pagamento',
  merchant: 'Esercente',
  orderRef: 'Riferimento ordine',
  amount: 'Importo totale',
  description: 'Descrizione',
  testBanner: 'Ambiente di test: nessun pagamento reale viene eseguito.',
  holder: 'Titolare della carta',
  number: 'Numero della carta',
  expiry: 'Data di scadenza',
  expiryHint: 'MM/AA',
  cvc: 'Codice di sicurezza (CVC)',
  cvcHint: '3 cifre sul retro della carta, 4 sul fronte per American Express',
  pay: 'Paga',
  cancel: 'Annulla',
  problemsTitle: 'Correggi quanto segue:',
  refused: 'Il pagamento è stato rifiutato. Puoi riprovare, ad esempio con un\u2019altra carta.',
  required: 'Campo obbligatorio.',
  invalid: 'Valore non valido.',
  luhn: 'Il numero della carta non è valido.',
  brand: 'Questa carta non è accettata.',
  expired: 'La carta è scaduta.',
  challengeTitle: 'Autenticazione 3-D Secure (simulata)',
  challengeBody:
    'La tua banca chiede di confermare il pagamento. Questa è la verifica simulata dell\u2019ambiente di test: scegli la risposta che serve al test.',
  approve: 'Autentica',
  decline: 'Autenticazione fallita',
  processing: 'Il pagamento è in corso. Non pagare di nuovo.',
  accepted: 'Il pagamento è stato accettato.',
  denied: 'La transazione è stata rifiutata.',
  home: 'Torna al negozio',
  catalog: 'Continua gli acquisti',
  ncErrors: {
    [E.PAYMENT_REFUSED]: 'Pagamento rifiutato dall\u2019acquirer.',
    [E.AUTHORISATION_DECLINED]: 'Autorizzazione rifiutata.',
    [E.TECHNICAL_PROBLEM]: 'Si è verificato un problema tecnico, riprova.',
    [E.AUTHENTICATION_FAILED]: 'Autenticazione non riuscita, riprova o annulla.',
    [E.UNKNOWN_STATUS]:
      'Abbiamo ricevuto uno stato sconosciuto per la transazione. Contatteremo l\u2019acquirer e aggiorneremo lo stato entro un giorno lavorativo. Controlla lo stato più tardi.',
    [E.CANCELLED_BY_BUYER]: 'Pagamento annullato dall\u2019acquirente.',
  },
  errorCode: 'codice di errore {code}',
  alreadyPaidTitle: 'Questo ordine è già pagato',
  alreadyPaidBody: 'Questo ordine è già stato pagato (o il suo pagamento è in corso): non può essere pagato di nuovo. Non è stato addebitato altro.',
  pendingTitle: 'Il pagamento di questo ordine è in corso',
  pendingBody: 'Il suo esito è in verifica. Non pagare di nuovo questo ordine: il negozio riceverà l\u2019esito.',
  processedTitle: 'Questo ordine è già stato elaborato',
  processedBody: 'Non può essere pagato di nuovo con lo stesso riferimento. Per acquistare, torna al negozio.',
  reference: 'Riferimento dell\u2019ordine',
  storedTitle: 'La tua carta salvata',
  payStored: 'Paga con questa carta',
  newCard: 'Oppure paga con un\u2019altra carta:',
  aliasNotice: 'Questo negozio conserverà la tua carta (mai il codice di sicurezza) per:',
};

const fr_FR: PayStrings = {
  errorTitle: 'Une erreur est survenue',
  errorBody: 'Une erreur est survenue. Veuillez réessayer plus tard.',
  errorOwner: 'Si vous êtes le propriétaire ou le concepteur de ce site, connectez-vous au portail Varco pour voir le détail de l\u2019erreur.',
  busyTitle: 'Trop de demandes de paiement',
  busyBody: 'Trop de demandes de paiement sont arrivées depuis votre connexion ou pour ce commerçant. Veuillez réessayer dans {seconds} secondes.',
  payTitle: 'Paiement',
  merchant: 'Commerçant',
  orderRef: 'Référence de commande',
  amount: 'Montant total',
  description: 'Description',
  testBanner: 'Environnement de test : aucun paiement réel n\u2019est effectué.',
  holder: 'Nom du titulaire de la carte',
  number: 'Numéro de carte',
  expiry: 'Date d\u2019expiration',
  expiryHint: 'MM/AA',
  cvc: 'Cryptogramme visuel (CVC)',
  cvcHint: '3 chiffres au dos de la carte, 4 au recto pour American Express',
  pay: 'Payer',
  cancel: 'Annuler',
  problemsTitle: 'Veuillez corriger :',
  refused: 'Votre paiement a été refusé. Vous pouvez réessayer, par exemple avec une autre carte.',
  required: 'Ce champ est obligatoire.',
  invalid: 'Cette valeur n\u2019est pas valide.',
  luhn: 'Ce numéro de carte n\u2019est pas valide.',
  brand: 'Cette carte n\u2019est pas acceptée ici.',
  expired: 'Cette carte a expiré.',
  challengeTitle: 'Authentification 3-D Secure (simulée)',
  challengeBody:
    'Votre banque vous demande de confirmer ce paiement. Ceci est la vérification simulée de l\u2019environnement de test : choisissez la réponse dont le test a besoin.',
  approve: 'Authentifier',
  decline: 'Échec de l\u2019authentification',
  processing: 'Votre paiement est en cours de traitement. Ne payez pas une seconde fois.',
  accepted: 'Votre paiement est accepté.',
  denied: 'La transaction a été refusée.',
  home: 'Retour à la boutique',
  catalog: 'Continuer vos achats',
  ncErrors: {
    [E.PAYMENT_REFUSED]: 'Paiement refusé par l\u2019acquéreur.',
    [E.AUTHORISATION_DECLINED]: 'Autorisation refusée.',
    [E.TECHNICAL_PROBLEM]: 'Un problème technique est survenu, veuillez réessayer.',
    [E.AUTHENTICATION_FAILED]: 'Échec de l\u2019authentification, veuillez réessayer ou annuler.',
    [E.UNKNOWN_STATUS]:
      'Nous avons reçu un statut inconnu pour la transaction. Nous contacterons l\u2019acquéreur et mettrons le statut à jour dans un délai d\u2019un jour ouvrable. Veuillez vérifier le statut plus tard.',
    [E.CANCELLED_BY_BUYER]: 'Paiement annulé par l\u2019acheteur.',
  },
  errorCode: 'code d\u2019erreur {code}',
  alreadyPaidTitle: 'Cette commande est déjà payée',
  alreadyPaidBody: 'Cette commande a déjà été payée (ou son paiement est en cours) : elle ne peut pas être payée à nouveau. Rien de plus n\u2019a été débité.',
  pendingTitle: 'Le paiement de cette commande est en cours de traitement',
  pendingBody: 'Son résultat est en cours de vérification. Ne payez pas cette commande une seconde fois : le commerçant sera informé du résultat.',
  processedTitle: 'Cette commande a déjà été traitée',
  processedBody: 'Elle ne peut pas être payée à nouveau avec la même référence. Pour acheter, retournez à la boutique.',
  reference: 'Référence de la commande',
  storedTitle: 'Votre carte enregistrée',
  payStored: 'Payer avec cette carte',
  newCard: 'Ou payez avec une autre carte :',
  aliasNotice: 'Ce magasin conservera votre carte (jamais son code de sécurité) pour :',
};

const de_DE: PayStrings = {
  errorTitle: 'Ein Fehler ist aufgetreten',
  errorBody: 'Ein Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.',
  errorOwner: 'Wenn Sie Inhaber oder Entwickler dieser Website sind, melden Sie sich im Varco-Portal an, um die Details des Fehlers zu sehen.',
  busyTitle: 'Zu viele Zahlungsanfragen',
  busyBody: 'Von Ihrer Verbindung oder für diesen Shop sind zu viele Zahlungsanfragen eingegangen. Bitte versuchen Sie es in {seconds} Sekunden erneut.',
  payTitle: 'Zahlung',
  merchant: 'Händler',
  orderRef: 'Bestellnummer',
  amount: 'Gesamtbetrag',
  description: 'Beschreibung',
  testBanner: 'Testumgebung: Es wird keine echte Zahlung ausgeführt.',
  holder: 'Name des Karteninhabers',
  number: 'Kartennummer',
  expiry: 'Ablaufdatum',
  expiryHint: 'MM/JJ',
  cvc: 'Kartenprüfnummer (CVC)',
  cvcHint: '3 Ziffern auf der Rückseite, 4 auf der Vorderseite bei American Express',
  pay: 'Bezahlen',
  cancel: 'Abbrechen',
  problemsTitle: 'Bitte korrigieren Sie:',
  refused: 'Ihre Zahlung wurde abgelehnt. Sie können es erneut versuchen, zum Beispiel mit einer anderen Karte.',
  required: 'Dieses Feld ist erforderlich.',
  invalid: 'Dieser Wert ist ungültig.',
  luhn: 'Diese Kartennummer ist ungültig.',
  brand: 'Diese Karte wird hier nicht akzeptiert.',
  expired: 'Diese Karte ist abgelaufen.',
  challengeTitle: '3-D-Secure-Authentifizierung (simuliert)',
  challengeBody:
    'Ihre Bank bittet Sie, diese Zahlung zu bestätigen. Dies ist die simulierte Prüfung der Testumgebung: Wählen Sie die Antwort, die der Test braucht.',
  approve: 'Authentifizieren',
  decline: 'Authentifizierung fehlgeschlagen',
  processing: 'Ihre Zahlung wird bearbeitet. Bitte zahlen Sie nicht erneut.',
  accepted: 'Ihre Zahlung wurde akzeptiert.',
  denied: 'Die Transaktion wurde abgelehnt.',
  home: 'Zurück zum Shop',
  catalog: 'Weiter einkaufen',
  ncErrors: {
    [E.PAYMENT_REFUSED]: 'Zahlung vom Acquirer abgelehnt.',
    [E.AUTHORISATION_DECLINED]: 'Autorisierung abgelehnt.',
    [E.TECHNICAL_PROBLEM]: 'Ein technisches Problem ist aufgetreten, bitte versuchen Sie es erneut.',
    [E.AUTHENTICATION_FAILED]: 'Authentifizierung fehlgeschlagen, bitte versuchen Sie es erneut oder brechen Sie ab.',
    [E.UNKNOWN_STATUS]:
      'Für die Transaktion wurde ein unbekannter Status gemeldet. Wir kontaktieren den Acquirer und aktualisieren den Status innerhalb eines Werktags. Bitte prüfen Sie den Status später.',
    [E.CANCELLED_BY_BUYER]: 'Zahlung vom Käufer abgebrochen.',
  },
  errorCode: 'Fehlercode {code}',
  alreadyPaidTitle: 'Diese Bestellung ist bereits bezahlt',
  alreadyPaidBody: 'Diese Bestellung wurde bereits bezahlt (oder ihre Zahlung läuft): Sie kann nicht erneut bezahlt werden. Es wurde nichts weiter belastet.',
  pendingTitle: 'Die Zahlung dieser Bestellung wird bearbeitet',
  pendingBody: 'Ihr Ergebnis wird geprüft. Bitte bezahlen Sie diese Bestellung nicht erneut: Der Händler erhält das Ergebnis.',
  processedTitle: 'Diese Bestellung wurde bereits bearbeitet',
  processedBody: 'Sie kann mit derselben Bestellreferenz nicht erneut bezahlt werden. Um einzukaufen, kehren Sie bitte zum Shop zurück.',
  reference: 'Bestellnummer',
  storedTitle: 'Ihre gespeicherte Karte',
  payStored: 'Mit dieser Karte bezahlen',
  newCard: 'Oder mit einer anderen Karte bezahlen:',
  aliasNotice: 'Dieser Shop speichert Ihre Karte (nie ihren Sicherheitscode) für:',
};

const nl_NL: PayStrings = {
  errorTitle: 'Er is een fout opgetreden',
  errorBody: 'Er is een fout opgetreden. Probeer later opnieuw.',
  errorOwner: 'Bent u de eigenaar of de ontwerper van deze website? Meld u dan aan bij het Varco-portaal om de details van de foutmelding te bekijken.',
  busyTitle: 'Te veel betaalverzoeken',
  busyBody: 'Er zijn te veel betaalverzoeken binnengekomen vanaf uw verbinding of voor deze winkel. Probeer het over {seconds} seconden opnieuw.',
  payTitle: 'Betaling',
  merchant: 'Handelaar',
  orderRef: 'Bestelreferentie',
  amount: 'Totaalbedrag',
  description: 'Omschrijving',
  testBanner: 'Testomgeving: er wordt geen echte betaling uitgevoerd.',
  holder: 'Naam kaarthouder',
  number: 'Kaartnummer',
  expiry: 'Vervaldatum',
  expiryHint: 'MM/JJ',
  cvc: 'Kaartverificatiecode (CVC)',
  cvcHint: '3 cijfers op de achterkant, 4 op de voorkant bij American Express',
  pay: 'Betalen',
  cancel: 'Annuleren',
  problemsTitle: 'Corrigeer het volgende:',
  refused: 'Uw betaling is geweigerd. U kunt het opnieuw proberen, bijvoorbeeld met een andere kaart.',
  required: 'Dit veld is verplicht.',
  invalid: 'Deze waarde is ongeldig.',
  luhn: 'Dit kaartnummer is ongeldig.',
  brand: 'Deze kaart wordt hier niet geaccepteerd.',
  expired: 'Deze kaart is verlopen.',
  challengeTitle: '3-D Secure-authenticatie (gesimuleerd)',
  challengeBody:
    'Uw bank vraagt u deze betaling te bevestigen. Dit is de gesimuleerde controle van de testomgeving: kies het antwoord dat de test nodig heeft.',
  approve: 'Authenticeren',
  decline: 'Authenticatie mislukt',
  processing: 'Uw betaling wordt verwerkt. Betaal niet opnieuw.',
  accepted: 'Uw betaling is geaccepteerd.',
  denied: 'De transactie is geweigerd.',
  home: 'Terug naar de winkel',
  catalog: 'Verder winkelen',
  ncErrors: {
    [E.PAYMENT_REFUSED]: 'Betaling geweigerd door de acquirer.',
    [E.AUTHORISATION_DECLINED]: 'Autorisatie geweigerd.',
    [E.TECHNICAL_PROBLEM]: 'Er is een technisch probleem opgetreden, probeer het opnieuw.',
    [E.AUTHENTICATION_FAILED]: 'Authenticatie mislukt, probeer het opnieuw of annuleer.',
    [E.UNKNOWN_STATUS]:
      'We hebben een onbekende status voor de transactie ontvangen. We nemen contact op met de acquirer en werken de status binnen één werkdag bij. Controleer de status later.',
    [E.CANCELLED_BY_BUYER]: 'Betaling geannuleerd door de koper.',
  },
  errorCode: 'foutcode {code}',
  alreadyPaidTitle: 'Deze bestelling is al betaald',
  alreadyPaidBody: 'Deze bestelling is al betaald (of de betaling loopt): ze kan niet opnieuw worden betaald. Er is niets extra afgeschreven.',
  pendingTitle: 'De betaling van deze bestelling wordt verwerkt',
  pendingBody: 'Het resultaat wordt gecontroleerd. Betaal deze bestelling niet opnieuw: de winkel krijgt de uitkomst te horen.',
  processedTitle: 'Deze bestelling is al verwerkt',
  processedBody: 'Ze kan niet opnieuw worden betaald met dezelfde bestelreferentie. Ga terug naar de winkel om te kopen.',
  reference: 'Bestelreferentie',
  storedTitle: 'Uw opgeslagen kaart',
  payStored: 'Betalen met deze kaart',
  newCard: 'Of betaal met een andere kaart:',
  aliasNotice: 'Deze winkel bewaart uw kaart (nooit de beveiligingscode) voor:',
};

const BY_LANGUAGE: Readonly<Record<string, PayStrings>> = { en_US, it_IT, fr_FR, de_DE, nl_NL };

/** The translation a LANGUAGE value is shown in: its own, the same language of another country, else en_US. */
export function pageLanguage(language: string): string {
  return pickTranslation(language, Object.keys(BY_LANGUAGE), 'en_US');
}

/** Strings for an Ingenico LANGUAGE (`ll_CC`, the platform's own codes such as `dk_DK` included). */
export function payStrings(language: string): PayStrings {
  return BY_LANGUAGE[pageLanguage(language)] ?? en_US;
}

/** `<html lang>`: the language the page is shown in (`dk_DK` falls back to English: `en-US`), never one it is not in. */
export function htmlLang(language: string): string {
  return languageTag(pageLanguage(language));
}

/** The page's sentence for an NCERROR, with its code; empty for codes the page does not explain (0, validation errors). */
export function ncErrorSentence(t: PayStrings, code: string | null | undefined): string {
  if (code === null || code === undefined || !(CUSTOMER_NC_ERRORS as readonly string[]).includes(code)) return '';
  return `${t.ncErrors[code as CustomerNcError]} (${t.errorCode.replace('{code}', code)})`;
}
