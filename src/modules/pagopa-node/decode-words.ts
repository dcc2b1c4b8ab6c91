import type { DecodeProblem } from '../../protocols/pagopa/index.ts';

// The words of a decoding problem in a fault's description: the codec describes it in English (the
// element's path, the XML parser's message); the node answers every fault in Italian, then English
// (docs/errors.md), for a PSP's request it could not read as for a station's answer.

const DECODE_IT: Record<DecodeProblem['kind'], (p: DecodeProblem) => string> = {
  too_large: () => 'Il messaggio supera la dimensione ammessa.',
  not_xml: () => 'Il messaggio non è XML ben formato.',
  doctype: () => 'DOCTYPE e dichiarazioni di entità non sono ammesse.',
  processing_instruction: () => 'Le istruzioni di elaborazione non sono ammesse.',
  too_deep: () => 'Gli elementi sono annidati troppo in profondità.',
  not_soap: () => 'Il messaggio non è una busta SOAP 1.1.',
  schema: (p) => (p.path ? `Il messaggio non è conforme all’XSD in ${p.path}.` : 'Il messaggio non è conforme all’XSD.'),
  soap_fault: () => 'Una richiesta non può essere un SOAP Fault.',
  unknown_operation: () => 'Operazione non riconosciuta: SOAPAction assente o sconosciuta e nessun elemento di richiesta noto nel Body.',
  soap_action_mismatch: (p) => `La SOAPAction${p.operation ? ` ${p.operation}` : ''} non corrisponde all’elemento del Body.`,
  extra_schema: (p) => (p.path ? `Il messaggio viola una regola oltre l’XSD in ${p.path}.` : 'Il messaggio viola una regola oltre l’XSD.'),
  internal: () => 'Il messaggio non può essere decodificato.',
};

/**
 * A decoding problem's description in Italian, then the codec's English (the element it names, the
 * parser's words), as every other fault's: "it / en", one full stop each.
 */
export function inBothLanguages(problem: DecodeProblem): DecodeProblem {
  const en = englishOf(problem);
  return { ...problem, description: `${italianOf(problem)} / ${en.charAt(0).toUpperCase()}${en.slice(1)}.` };
}

/** The problem in Italian: one sentence, naming the element's path where the codec gave one. */
export function italianOf(problem: DecodeProblem): string {
  return DECODE_IT[problem.kind](problem);
}

/** The codec's English description without its closing full stop (the parser's messages end with one, or two). */
export function englishOf(problem: DecodeProblem): string {
  return problem.description.trim().replace(/\.+$/, '');
}
