// SOAP 1.1 envelopes: reading (Header optional and ignored, Body with exactly one element) and
// writing, the SOAPAction header, and the SOAP Fault kept for the one case no operation is known.
import { NS } from './xsd.common.ts';
import { escapeText } from './write.ts';
import { childElements, hasStrayText, type XmlElement } from './xml.ts';

export type EnvelopeResult = { ok: true; body: XmlElement } | { ok: false; message: string };

/** Finds the single body element of a SOAP 1.1 envelope. */
export function readEnvelope(root: XmlElement): EnvelopeResult {
  if (root.local === 'Envelope' && root.ns === NS.soap12) return { ok: false, message: 'SOAP 1.2 envelopes are not accepted; send SOAP 1.1' };
  if (root.local !== 'Envelope' || root.ns !== NS.soap11) return { ok: false, message: 'the root element is not a SOAP 1.1 Envelope' };
  if (hasStrayText(root)) return { ok: false, message: 'the Envelope contains text' };
  const parts = childElements(root);
  const start = parts[0]?.local === 'Header' && parts[0].ns === NS.soap11 ? 1 : 0;
  const body = parts[start];
  if (body === undefined || body.local !== 'Body' || body.ns !== NS.soap11) return { ok: false, message: 'the Envelope has no Body' };
  if (parts.length > start + 1) return { ok: false, message: 'the Envelope has elements after the Body' };
  if (hasStrayText(body)) return { ok: false, message: 'the Body contains text' };
  const content = childElements(body);
  if (content.length !== 1) return { ok: false, message: `the Body must contain exactly one element, found ${content.length}` };
  const [element] = content as [XmlElement];
  return { ok: true, body: element };
}

/**
 * The operation named by a SOAPAction header: quotes and surrounding blanks removed. Undefined
 * when the header is absent or empty (then the body element names the operation).
 */
export function parseSoapAction(header: string | readonly string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const raw = typeof header === 'string' ? header : header.join(',');
  const value = raw
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .trim();
  return value === '' ? undefined : value;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Wraps an already-serialised body element in a SOAP 1.1 envelope. */
export function buildEnvelope(bodyElement: string): string {
  return `${XML_DECLARATION}<soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>${bodyElement}</soapenv:Body></soapenv:Envelope>`;
}

/**
 * A SOAP Fault, only for a request whose operation cannot be determined (unknown SOAPAction and
 * body): every other refusal is the operation's own response with outcome KO.
 */
export function buildSoapFault(faultcode: 'Client' | 'Server', faultstring: string, detail?: string): string {
  const detailXml = detail === undefined ? '' : `<detail><description>${escapeText(detail)}</description></detail>`;
  return buildEnvelope(
    `<soapenv:Fault><faultcode>soapenv:${faultcode}</faultcode><faultstring>${escapeText(faultstring)}</faultstring>${detailXml}</soapenv:Fault>`,
  );
}

/** faultcode and faultstring of a SOAP 1.1 Fault body element (as an EC might answer). */
export function readSoapFault(body: XmlElement): { faultcode: string; faultstring: string } | undefined {
  if (body.local !== 'Fault' || body.ns !== NS.soap11) return undefined;
  const text = (name: string): string => {
    const el = childElements(body).find((c) => c.local === name);
    return el === undefined
      ? ''
      : el.children
          .map((c) => (c.kind === 'text' ? c.text : ''))
          .join('')
          .trim()
          .slice(0, 500);
  };
  return { faultcode: text('faultcode'), faultstring: text('faultstring') };
}
