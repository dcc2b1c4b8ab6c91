import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelPasswordProblem, checkLinkKey, isRegistryId, pspVerdict, sideOf, switchVerdict, type PspRows } from './registry.policy.ts';

test('identifiers: 1–35 characters of letters, digits, dot, dash, underscore; case is kept', () => {
  for (const ok of ['AGID_01', '97735020584', '97735020584_03', 'a', 'X'.repeat(35), 'ABI.03069-x']) assert.ok(isRegistryId(ok), ok);
  for (const bad of ['', 'X'.repeat(36), 'has space', 'semi;colon', 'è', '<x>']) assert.ok(!isRegistryId(bad), bad);
});

test('channel passwords are 8–15 characters (counted as characters, like the XSD) without control characters', () => {
  assert.equal(channelPasswordProblem('pwdpwdpwd'), undefined);
  assert.equal(channelPasswordProblem('PLACEHOLDER'), undefined);
  assert.equal(channelPasswordProblem('èèèèèèèèèèèèèèè'), undefined, '15 two-byte characters');
  assert.equal(channelPasswordProblem('short'), 'password_invalid');
  assert.equal(channelPasswordProblem('x'.repeat(16)), 'password_invalid');
  assert.equal(channelPasswordProblem('tab\there-ok'), 'password_invalid');
  assert.equal(channelPasswordProblem('pwdpwdpwd', 'pwdpwdpwe'), 'password_mismatch');
});

test('link keys: aux 3 needs a segregation code, aux 0 an application code, aux 1 and 2 neither; version 1 by default', () => {
  assert.deepEqual(checkLinkKey({ auxDigit: '3', segregationCode: '01' }), {
    ok: true,
    value: { auxDigit: 3, segregationCode: '01', applicationCode: null, primitiveVersion: 1 },
  });
  assert.deepEqual(checkLinkKey({ auxDigit: '0', applicationCode: '12', version: '2' }), {
    ok: true,
    value: { auxDigit: 0, segregationCode: null, applicationCode: '12', primitiveVersion: 2 },
  });
  assert.deepEqual(checkLinkKey({ auxDigit: '1' }), { ok: true, value: { auxDigit: 1, segregationCode: null, applicationCode: null, primitiveVersion: 1 } });
  const refused = (input: Parameters<typeof checkLinkKey>[0]) => {
    const r = checkLinkKey(input);
    return r.ok ? [] : r.problems;
  };
  assert.deepEqual(refused({ auxDigit: '3' }), ['segregation_code_required']);
  assert.deepEqual(refused({ auxDigit: '3', segregationCode: '1' }), ['segregation_code_required']);
  assert.deepEqual(refused({ auxDigit: '0', segregationCode: '01' }), ['application_code_required', 'code_not_allowed']);
  assert.deepEqual(refused({ auxDigit: '2', applicationCode: '01' }), ['code_not_allowed']);
  assert.deepEqual(refused({ auxDigit: '4' }), ['aux_digit_invalid']);
  assert.deepEqual(refused({ auxDigit: '1', version: '3' }), ['version_invalid']);
});

const claim = { env: 'test', organisationId: 'org_a', idPSP: 'PSP_A', idBrokerPSP: 'BRK_A', idChannel: 'CHN_A' };
const mine: Required<PspRows> = {
  psp: { id: 'psp_1', organisationId: 'org_a', idBrokerPsp: 'BRK_A', enabled: true },
  broker: { organisationId: 'org_a', enabled: true },
  channel: { id: 'chn_1', pspId: 'psp_1', organisationId: 'org_a', enabled: true },
};
const codeOf = (rows: PspRows) => pspVerdict(rows, claim)?.faultCode;

test('the PSP verdict: unknown ids, then ownership and links, then enable flags; the password is checked only after all', () => {
  assert.equal(codeOf(mine), undefined);
  assert.equal(codeOf({ ...mine, psp: undefined }), 'PPT_PSP_SCONOSCIUTO');
  assert.equal(codeOf({ ...mine, broker: undefined }), 'PPT_INTERMEDIARIO_PSP_SCONOSCIUTO');
  assert.equal(codeOf({ ...mine, channel: undefined }), 'PPT_CANALE_SCONOSCIUTO');
  assert.equal(codeOf({ ...mine, psp: { ...mine.psp, organisationId: 'org_b' } }), 'PPT_AUTORIZZAZIONE');
  assert.equal(codeOf({ ...mine, broker: { ...mine.broker, organisationId: 'org_b' } }), 'PPT_AUTORIZZAZIONE');
  assert.equal(codeOf({ ...mine, channel: { ...mine.channel, organisationId: 'org_b' } }), 'PPT_AUTORIZZAZIONE');
  assert.equal(codeOf({ ...mine, psp: { ...mine.psp, idBrokerPsp: 'OTHER' } }), 'PPT_AUTORIZZAZIONE');
  assert.equal(codeOf({ ...mine, channel: { ...mine.channel, pspId: 'psp_2' } }), 'PPT_AUTORIZZAZIONE');
  assert.equal(codeOf({ ...mine, psp: { ...mine.psp, enabled: false } }), 'PPT_PSP_DISABILITATO');
  assert.equal(codeOf({ ...mine, broker: { ...mine.broker, enabled: false } }), 'PPT_INTERMEDIARIO_PSP_DISABILITATO');
  assert.equal(codeOf({ ...mine, channel: { ...mine.channel, enabled: false } }), 'PPT_CANALE_DISABILITATO');
  // Another organisation's disabled PSP is refused for its owner, never for being disabled.
  assert.equal(codeOf({ ...mine, psp: { ...mine.psp, organisationId: 'org_b', enabled: false } }), 'PPT_AUTORIZZAZIONE');
  const described = pspVerdict({ ...mine, channel: { ...mine.channel, enabled: false } }, claim);
  assert.match(described?.description ?? '', /^Il canale CHN_A è disabilitato\. \/ Channel CHN_A is disabled\.$/);
});

test('switches: the organisation switches on only what it switched off; what an administrator switched off stays theirs', () => {
  assert.equal(sideOf({ type: 'referent' }), 'organisation');
  for (const type of ['admin', 'cli', 'system'] as const) assert.equal(sideOf({ type }), 'administrator', type);
  const organisation = (from: 'organisation' | 'administrator' | null, enabled: boolean) => switchVerdict(from, 'organisation', enabled);
  const administrator = (from: 'organisation' | 'administrator' | null, enabled: boolean) => switchVerdict(from, 'administrator', enabled);
  assert.deepEqual(organisation(null, false), { ok: true, disabledBy: 'organisation' });
  assert.deepEqual(organisation('organisation', true), { ok: true, disabledBy: null });
  assert.deepEqual(organisation('administrator', true), { ok: false, problem: 'disabled_by_administrator' });
  assert.deepEqual(
    organisation('administrator', false),
    { ok: true, disabledBy: 'administrator' },
    'switching it off again leaves it the administrator\u2019s',
  );
  assert.deepEqual(organisation(null, true), { ok: true, disabledBy: null });
  assert.deepEqual(administrator(null, false), { ok: true, disabledBy: 'administrator' });
  assert.deepEqual(administrator('organisation', false), { ok: true, disabledBy: 'administrator' }, 'an administrator makes it theirs');
  assert.deepEqual(administrator('administrator', true), { ok: true, disabledBy: null });
  assert.deepEqual(administrator('organisation', true), { ok: true, disabledBy: null });
});
