// The WSDL Varco serves at GET /nodo/node-for-psp/v1?wsdl: exactly the five operations it offers,
// document/literal SOAP 1.1, with an inline XSD generated from the same message descriptions the
// codec uses (so the WSDL cannot drift from what the decoder accepts).
import type { AnyType, ComplexType, ElementDef, Particle, SimpleType } from './schema.ts';
import { OPERATIONS, SERVICES, operationsOf, requestElement, responseElement, type Operation, type Service } from './operations.ts';
import { XML_DECLARATION } from './soap.ts';
import { escapeAttribute } from './write.ts';
import { amountToWire } from './values.ts';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
/** The WSDL's own target namespace, as in pagoPA's nodeForPsp.wsdl. */
const DEFINITIONS_NS: Record<Service, string> = {
  nodeForPsp: 'http://pagopa-api.pagopa.gov.it/nodeForPsp',
  paForNode: 'http://pagopa-api.pagopa.gov.it/paForNode',
};

const BUILTIN: Record<SimpleType['kind'], string> = {
  string: 'xsd:string',
  amount: 'xsd:decimal',
  int: 'xsd:int',
  boolean: 'xsd:boolean',
  date: 'xsd:date',
  dateTime: 'xsd:dateTime',
  base64: 'xsd:base64Binary',
};

const attr = (value: string | number): string => `"${escapeAttribute(String(value))}"`;
const facet = (name: string, value: string | number): string => `<xsd:${name} value=${attr(value)}/>`;

function restriction(t: SimpleType): string {
  const facets: string[] = [];
  switch (t.kind) {
    case 'string':
      if (t.length !== undefined) facets.push(facet('length', t.length));
      if (t.minLength !== undefined) facets.push(facet('minLength', t.minLength));
      if (t.maxLength !== undefined) facets.push(facet('maxLength', t.maxLength));
      if (t.pattern !== undefined) facets.push(facet('pattern', t.pattern));
      for (const v of t.enumeration ?? []) facets.push(facet('enumeration', v));
      break;
    case 'amount':
      facets.push(facet('pattern', '\\d+\\.\\d{2}'));
      if (t.minCents > 0) facets.push(facet('minInclusive', amountToWire(t.minCents)));
      facets.push(facet('maxInclusive', amountToWire(t.maxCents)));
      break;
    case 'int':
      if (t.min !== undefined) facets.push(facet('minInclusive', t.min));
      if (t.max !== undefined) facets.push(facet('maxInclusive', t.max));
      for (const v of t.enumeration ?? []) facets.push(facet('enumeration', v));
      break;
    case 'base64':
      if (t.pattern !== undefined) facets.push(facet('pattern', t.pattern));
      break;
    default:
      break;
  }
  const base = t.kind === 'int' ? `xsd:${t.base}` : BUILTIN[t.kind];
  return `<xsd:restriction base="${base}">${facets.join('')}</xsd:restriction>`;
}

class SchemaWriter {
  private readonly named = new Map<string, AnyType>();
  private readonly definitions: string[] = [];
  private readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** The type="…" of an element: a named type (emitted once), a built-in, or '' for inline. */
  typeRef(t: AnyType): string {
    if (t.name === undefined) {
      // Anonymous: a built-in when it has no facets, else written inline by the caller.
      if (t.kind === 'complex' || restriction(t).includes(' value=')) return '';
      return t.kind === 'int' ? `xsd:${t.base}` : BUILTIN[t.kind];
    }
    const seen = this.named.get(t.name);
    if (seen !== undefined && seen !== t) throw new Error(`two different types are both named ${t.name}`);
    if (seen === undefined) {
      this.named.set(t.name, t);
      this.definitions.push(
        t.kind === 'complex'
          ? `<xsd:complexType name=${attr(t.name)}>${this.sequence(t)}</xsd:complexType>`
          : `<xsd:simpleType name=${attr(t.name)}>${restriction(t)}</xsd:simpleType>`,
      );
    }
    return `${this.prefix}:${t.name}`;
  }

  private occurs(min: number, max: number): string {
    return `${min === 1 ? '' : ` minOccurs="${min}"`}${max === 1 ? '' : ` maxOccurs="${max}"`}`;
  }

  private element(e: ElementDef, min: number): string {
    const ref = this.typeRef(e.type);
    const occurs = this.occurs(min, e.max);
    if (ref !== '') return `<xsd:element name=${attr(e.name)} type=${attr(ref)}${occurs}/>`;
    const inline =
      e.type.kind === 'complex' ? `<xsd:complexType>${this.sequence(e.type)}</xsd:complexType>` : `<xsd:simpleType>${restriction(e.type)}</xsd:simpleType>`;
    return `<xsd:element name=${attr(e.name)}${occurs}>${inline}</xsd:element>`;
  }

  private particle(p: Particle): string {
    if (p.kind === 'element') return this.element(p, p.occurs === 'optional' ? 0 : 1);
    return `<xsd:choice${p.required ? '' : ' minOccurs="0"'}>${p.options.map((o) => this.element(o, 1)).join('')}</xsd:choice>`;
  }

  sequence(t: ComplexType): string {
    return `<xsd:sequence>${t.content.map((p) => this.particle(p)).join('')}</xsd:sequence>`;
  }

  types(): string {
    return this.definitions.join('');
  }
}

/** The inline schema: the request and response elements of `operations` and every type they use. */
export function generateSchema(service: Service, operations: readonly Operation[]): string {
  const { namespace, prefix } = SERVICES[service];
  const writer = new SchemaWriter(prefix);
  const elements: string[] = [];
  for (const op of operations) {
    for (const type of [OPERATIONS[op].request, OPERATIONS[op].response]) {
      elements.push(`<xsd:element name=${attr(type.name ?? op)} type=${attr(writer.typeRef(type))}/>`);
    }
  }
  // No elementFormDefault: local elements are unqualified, as in pagoPA's schemas.
  return `<xsd:schema xmlns:xsd="${XSD_NS}" xmlns:${prefix}="${namespace}" targetNamespace="${namespace}">${writer.types()}${elements.join('')}</xsd:schema>`;
}

/** A WSDL 1.1 document for `operations` of `service`, whose port answers at `address`. */
export function generateWsdl(service: Service, operations: readonly Operation[], address: string): string {
  const { namespace, prefix } = SERVICES[service];
  const tns = DEFINITIONS_NS[service];
  const messages = operations
    .map(
      (op) =>
        `<wsdl:message name="${op}Request"><wsdl:part name="bodyrequest" element="${prefix}:${requestElement(op)}"/></wsdl:message>` +
        `<wsdl:message name="${op}Response"><wsdl:part name="bodyresponse" element="${prefix}:${responseElement(op)}"/></wsdl:message>`,
    )
    .join('');
  const portOps = operations
    .map((op) => `<wsdl:operation name="${op}"><wsdl:input message="tns:${op}Request"/><wsdl:output message="tns:${op}Response"/></wsdl:operation>`)
    .join('');
  const bindingOps = operations
    .map(
      (op) =>
        `<wsdl:operation name="${op}"><soap:operation soapAction="${op}" style="document"/>` +
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>',
    )
    .join('');
  return (
    `${XML_DECLARATION}<wsdl:definitions xmlns:wsdl="${WSDL_NS}" xmlns:soap="${WSDL_SOAP_NS}" xmlns:xsd="${XSD_NS}" ` +
    `xmlns:tns="${tns}" xmlns:${prefix}="${namespace}" name="${service}" targetNamespace="${tns}">` +
    `<wsdl:types>${generateSchema(service, operations)}</wsdl:types>${messages}` +
    `<wsdl:portType name="${service}">${portOps}</wsdl:portType>` +
    `<wsdl:binding name="${service}Binding" type="tns:${service}"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps}</wsdl:binding>` +
    `<wsdl:service name="${service}Service"><wsdl:port name="${service}Port" binding="tns:${service}Binding"><soap:address location=${attr(address)}/></wsdl:port></wsdl:service>` +
    '</wsdl:definitions>'
  );
}

/** What Varco serves at GET /nodo/node-for-psp/v1?wsdl; `address` is the endpoint's public URL. */
export function nodeForPspWsdl(address: string): string {
  return generateWsdl('nodeForPsp', operationsOf('nodeForPsp'), address);
}
