/**
 * The merchants' SHASIGN tool (portal page and `npx varco shasign`): from typed `NAME=value` lines
 * and a passphrase typed for the occasion, the parameters that are hashed, the string with the
 * passphrase masked, and the digest. Pure: the passphrase is used and dropped, never kept.
 */
import {
  DuplicateShaParameterError,
  LEGACY_SHA_IN_FIELDS,
  LEGACY_SHA_OUT_FIELDS,
  SHA_OUT_ORDER,
  compareShaNames,
  isShaInParam,
  isShaOutParam,
  maskedShaString,
  normalizeParamName,
  signSha,
  type HashingMethod,
  type ShaAlgorithm,
  type ShaEncoding,
  type ShaList,
  type ShaParams,
  type SortOrder,
} from '../../protocols/ogone/index.ts';

export const SHASIGN_TOOL_MAX_LINES = 500;

export type ParamLinesResult = { ok: true; params: Array<[string, string]> } | { ok: false; line: number; problem: 'not_name_value' | 'too_many' };

/**
 * One `NAME=value` per line (the first `=` separates; the value is kept exactly, spaces included,
 * only a trailing CR dropped); blank lines are skipped. A pasted SHASIGN is dropped: it is the
 * output, not an input.
 */
export function parseParamLines(text: string): ParamLinesResult {
  const params: Array<[string, string]> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (name === '' || /\s/.test(name)) return { ok: false, line: i + 1, problem: 'not_name_value' };
    if (normalizeParamName(name) === 'SHASIGN') continue;
    if (params.length >= SHASIGN_TOOL_MAX_LINES) return { ok: false, line: i + 1, problem: 'too_many' };
    params.push([name, line.slice(eq + 1)]);
  }
  return { ok: true, params };
}

export interface ShaToolOptions {
  list: ShaList;
  alg: ShaAlgorithm;
  method: HashingMethod;
  encoding: ShaEncoding;
}

export type ShaToolResult =
  { ok: true; included: Array<[string, string]>; masked: string; digest: string } | { ok: false; problem: 'no_passphrase' | 'duplicate'; param?: string };

/** SHA-IN in ASCII order (the worked examples'; verification tries the others too), SHA-OUT in the order Varco signs feedback. */
const orderOf = (list: ShaList): SortOrder => (list === 'out' ? SHA_OUT_ORDER : 'ascii');

/** Parameters that go into the string, in the order hashed. */
function included(params: ShaParams, list: ShaList, method: HashingMethod): Array<[string, string]> {
  if (method === 'main-parameters') {
    const values = new Map(params.map(([n, v]) => [normalizeParamName(n), v]));
    return (list === 'in' ? LEGACY_SHA_IN_FIELDS : LEGACY_SHA_OUT_FIELDS).map((f): [string, string] => [f, values.get(f) ?? '']);
  }
  const listed = list === 'in' ? isShaInParam : isShaOutParam;
  return params
    .filter(([n, v]) => v !== '' && listed(n))
    .map(([n, v]): [string, string] => [normalizeParamName(n), v])
    .sort((a, b) => compareShaNames(orderOf(list))(a[0], b[0]));
}

export function shaTool(params: ShaParams, passphrase: string, options: ShaToolOptions): ShaToolResult {
  if (passphrase === '') return { ok: false, problem: 'no_passphrase' };
  try {
    const order = orderOf(options.list);
    const masked = maskedShaString(params, { list: options.list, method: options.method, order });
    const digest = signSha(params, passphrase, options.list, { alg: options.alg, method: options.method, encoding: options.encoding, order });
    return { ok: true, included: included(params, options.list, options.method), masked, digest };
  } catch (error) {
    if (error instanceof DuplicateShaParameterError) return { ok: false, problem: 'duplicate', param: error.param };
    throw error;
  }
}
