// The fault catalogue: every code the node can answer, with its standard faultString and an
// Italian and an English explanation; fault beans built from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ecErrorFault, ecFault, NODE_FAULT_ID, nodeFault, PAA_FAULTS, PPT_FAULTS, type FaultInfo } from './index.ts';

const NODE_CODES = [
  'PPT_SINTASSI_XSD',
  'PPT_SINTASSI_EXTRAXSD',
  'PPT_SOAPACTION_ERRATA',
  'PPT_SYSTEM_ERROR',
  'PPT_AUTORIZZAZIONE',
  'PPT_AUTENTICAZIONE',
  'PPT_PSP_SCONOSCIUTO',
  'PPT_PSP_DISABILITATO',
  'PPT_INTERMEDIARIO_PSP_SCONOSCIUTO',
  'PPT_INTERMEDIARIO_PSP_DISABILITATO',
  'PPT_CANALE_SCONOSCIUTO',
  'PPT_CANALE_DISABILITATO',
  'PPT_DOMINIO_SCONOSCIUTO',
  'PPT_DOMINIO_DISABILITATO',
  'PPT_STAZIONE_INT_PA_SCONOSCIUTA',
  'PPT_STAZIONE_INT_PA_DISABILITATA',
  'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
  'PPT_STAZIONE_INT_PA_TIMEOUT',
  'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
  'PPT_ERRORE_EMESSO_DA_PAA',
  'PPT_PAGAMENTO_IN_CORSO',
  'PPT_PAGAMENTO_DUPLICATO',
  'PPT_ERRORE_IDEMPOTENZA',
  'PPT_TOKEN_SCONOSCIUTO',
  'PPT_TOKEN_SCADUTO',
  'PPT_TOKEN_SCADUTO_KO',
  'PPT_ESITO_GIA_ACQUISITO',
  'PPT_SEMANTICA',
];
const EC_CODES = [
  'PAA_PAGAMENTO_SCONOSCIUTO',
  'PAA_PAGAMENTO_SCADUTO',
  'PAA_PAGAMENTO_ANNULLATO',
  'PAA_PAGAMENTO_DUPLICATO',
  'PAA_SEMANTICA',
  'PAA_RECEIPT_DUPLICATA',
  'PAA_SYSTEM_ERROR',
];

function wellFormed(table: Record<string, FaultInfo>, prefix: string): void {
  for (const [code, info] of Object.entries(table)) {
    assert.match(code, new RegExp(`^${prefix}_[A-Z_]+$`));
    assert.ok(info.faultString.trim().length > 0, `${code} faultString`);
    assert.ok(info.it.length > 20 && info.en.length > 20, `${code} explanations`);
    assert.notEqual(info.it, info.en, `${code}: Italian and English differ`);
  }
}

describe('fault catalogue', () => {
  it('lists every node code of the specification, each with faultString, Italian and English text', () => {
    for (const code of NODE_CODES) assert.ok(Object.hasOwn(PPT_FAULTS, code), code);
    wellFormed(PPT_FAULTS, 'PPT');
  });

  it('lists the EC codes a station may answer', () => {
    for (const code of EC_CODES) assert.ok(Object.hasOwn(PAA_FAULTS, code), code);
    wellFormed(PAA_FAULTS, 'PAA');
  });

  it('node faults: the node id, the standard faultString, optional description and serial', () => {
    assert.deepEqual(nodeFault('PPT_TOKEN_SCONOSCIUTO'), { faultCode: 'PPT_TOKEN_SCONOSCIUTO', faultString: 'unknown token', id: NODE_FAULT_ID });
    assert.deepEqual(nodeFault('PPT_SINTASSI_XSD', 'x/y: <y> is missing', 2), {
      faultCode: 'PPT_SINTASSI_XSD',
      faultString: 'Errore di sintassi XSD.',
      id: NODE_FAULT_ID,
      description: 'x/y: <y> is missing',
      serial: 2,
    });
  });

  it('an EC KO relayed without description keeps the original fields that exist', () => {
    const relayed = ecErrorFault(ecFault('PAA_PAGAMENTO_SCONOSCIUTO', '77777777777'), '77777777777');
    assert.deepEqual(relayed, {
      faultCode: 'PPT_ERRORE_EMESSO_DA_PAA',
      faultString: PPT_FAULTS.PPT_ERRORE_EMESSO_DA_PAA.faultString,
      id: '77777777777',
      originalFaultCode: 'PAA_PAGAMENTO_SCONOSCIUTO',
      originalFaultString: PAA_FAULTS.PAA_PAGAMENTO_SCONOSCIUTO.faultString,
    });
  });

  it('an EC KO naming an element (serial) keeps it when relayed', () => {
    const relayed = ecErrorFault({ ...ecFault('PAA_SEMANTICA', '77777777777', 'transfer 2'), serial: 2 }, '77777777777');
    assert.equal(relayed.serial, 2);
    assert.equal(relayed.originalDescription, 'transfer 2');
  });
});
