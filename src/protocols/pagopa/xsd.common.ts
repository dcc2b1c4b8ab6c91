// Types of sac-common-types-1.0.xsd, and the ones nodeForPsp.xsd and paForNode.xsd define
// identically (subjects, QR code, amounts not zero, transfer ids). Names follow the XSD.
import { amount, base64, bool, complex, date, dateTime, el, enumStr, int, list, opt, str } from './schema.ts';

export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  nodeForPsp: 'http://pagopa-api.pagopa.gov.it/node/nodeForPsp.xsd',
  paForNode: 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd',
} as const;

export const stText16 = str('stText16', { minLength: 1, maxLength: 16 });
export const stText20 = str('stText20', { minLength: 1, maxLength: 20 });
export const stText35 = str('stText35', { minLength: 1, maxLength: 35 });
export const stText70 = str('stText70', { minLength: 1, maxLength: 70 });
export const stText140 = str('stText140', { minLength: 1, maxLength: 140 });
export const stText210 = str('stText210', { minLength: 1, maxLength: 210 });
export const xsString = str(undefined);

export const stPaymentToken = str('stPaymentToken', { minLength: 1, maxLength: 35 });
export const stPassword = str('stPassword', { minLength: 8, maxLength: 15 });
export const stFiscalCodePA = str('stFiscalCodePA', { length: 11, pattern: '[0-9]{11}' });
export const stNoticeNumber = str('stNoticeNumber', { pattern: '[0-9]{18}' });
export const stOutcome = enumStr('stOutcome', ['OK', 'KO']);
export const stNazioneProvincia = str('stNazioneProvincia', { pattern: '[A-Z]{2,2}' });
export const stEMail = str('stEMail', { pattern: '[a-zA-Z0-9_\\.\\+\\-]+@[a-zA-Z0-9\\-]+(\\.[a-zA-Z0-9\\-]+)*', maxLength: 256 });
export const stTipoBolloDigitale = enumStr('stTipoBolloDigitale', ['01'], { length: 2 });
export const stBase64Binary72 = base64('stBase64Binary72', '.{4,72}');
export const xsBase64 = base64();

export const stAmount = amount('stAmount', 0);
export const stAmountNotZero = amount('stAmountNotZero', 1);
export const stISODate = date('stISODate');
export const stISODateTime = dateTime('stISODateTime');
export const xsDateTime = dateTime();
export const xsBoolean = bool;
export const xsInt = int(undefined, { base: 'int' });
export const stIdTransfer = int('stIdTransfer', { base: 'int', enumeration: [1, 2, 3, 4, 5] });

export const stEntityUniqueIdentifierType = enumStr('stEntityUniqueIdentifierType', ['F', 'G'], { length: 1 });
export const stEntityUniqueIdentifierValue = str('stEntityUniqueIdentifierValue', { minLength: 2, maxLength: 16 });

export const ctRichiestaMarcaDaBollo = complex('ctRichiestaMarcaDaBollo', [
  el('hashDocumento', stBase64Binary72),
  el('tipoBollo', stTipoBolloDigitale),
  el('provinciaResidenza', stNazioneProvincia),
]);

export const ctMapEntry = complex('ctMapEntry', [el('key', stText140), el('value', stText140)]);
export const ctMetadata = complex('ctMetadata', [list('mapEntry', ctMapEntry, 15)]);

export const ctFaultBean = complex('ctFaultBean', [
  el('faultCode', xsString),
  el('faultString', xsString),
  el('id', xsString),
  opt('description', xsString),
  opt('serial', xsInt),
  opt('originalFaultCode', xsString),
  opt('originalFaultString', xsString),
  opt('originalDescription', xsString),
]);

export const ctQrCode = complex('ctQrCode', [el('fiscalCode', stFiscalCodePA), el('noticeNumber', stNoticeNumber)]);

export const ctEntityUniqueIdentifier = complex('ctEntityUniqueIdentifier', [
  el('entityUniqueIdentifierType', stEntityUniqueIdentifierType),
  el('entityUniqueIdentifierValue', stEntityUniqueIdentifierValue),
]);

export const ctSubject = complex('ctSubject', [
  el('uniqueIdentifier', ctEntityUniqueIdentifier),
  el('fullName', stText70),
  opt('streetName', stText70),
  opt('civicNumber', stText16),
  opt('postalCode', stText16),
  opt('city', stText35),
  opt('stateProvinceRegion', stText35),
  opt('country', stNazioneProvincia),
  opt('e-mail', stEMail, 'email'),
]);

/** ctResponse's own particles; every response extends it with its own sequence. */
export const responseHead = [el('outcome', stOutcome), opt('fault', ctFaultBean)] as const;
