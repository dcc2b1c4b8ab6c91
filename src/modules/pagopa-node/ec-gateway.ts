import { performance } from 'node:perf_hooks';
import { encodeRequest, nodeFault, type EcOperation, type FaultBean, type RequestOf } from '../../protocols/pagopa/index.ts';
import type { OutboundRequest, OutboundResult } from '../outbound/index.ts';
import { judgeEcResult, refusalVerdict, type EcVerdict } from './fault.policy.ts';
import type { Environment, PagopaNodeOptions } from './node.types.ts';

// Where and how the node asks an EC: the routing rule of issue 11 (in the test environment an EC
// whose simulated station is on is answered by the simulator, with its primitive version, and needs
// no station link; otherwise the registry routes the notice to a station), the call itself through
// the one interface both implementations share (an OutboundResult either way), and the exchange log's
// outbound row for every message that left.

export interface EcTarget {
  via: 'station' | 'simulator';
  ecOrganisationId: string;
  ecFiscalCode: string;
  /** null for the simulator. */
  stationId: string | null;
  /** idStation sent to the EC. */
  stationCode: string;
  /** The station's owner: the organisation the mutual-TLS call is made for (null for the simulator). */
  stationOrganisationId: string | null;
  /** idBrokerPA sent to the EC. */
  brokerFiscalCode: string;
  primitiveVersion: 1 | 2;
}

export type TargetOutcome = { ok: true; target: EcTarget } | { ok: false; fault: FaultBean };

type Deps = Pick<PagopaNodeOptions, 'registry' | 'simulator' | 'stationCaller' | 'exchanges' | 'clock' | 'logger'>;

/** The simulated station's idStation (it checks only idPA). */
export const SIMULATOR_STATION_SUFFIX = '_SIM';

export async function resolveTarget(deps: Deps, env: Environment, fiscalCode: string, noticeNumber: string): Promise<TargetOutcome> {
  if (env === 'test') {
    const ec = await deps.registry.isEc(env, fiscalCode);
    const simulated = ec?.enabled ? await deps.simulator.isEnabled(env, ec.organisationId) : undefined;
    if (ec && simulated) {
      return {
        ok: true,
        target: {
          via: 'simulator',
          ecOrganisationId: ec.organisationId,
          ecFiscalCode: fiscalCode,
          stationId: null,
          stationCode: `${fiscalCode}${SIMULATOR_STATION_SUFFIX}`,
          stationOrganisationId: null,
          brokerFiscalCode: fiscalCode,
          primitiveVersion: simulated.primitiveVersion,
        },
      };
    }
  }
  const routed = await deps.registry.routeNotice({ env, fiscalCode, noticeNumber });
  if (!routed.ok) return { ok: false, fault: nodeFault(routed.faultCode, routed.description) };
  const r = routed.route;
  return {
    ok: true,
    target: {
      via: 'station',
      ecOrganisationId: r.ecOrganisationId,
      ecFiscalCode: r.ecFiscalCode,
      stationId: r.stationId,
      stationCode: r.stationCode,
      stationOrganisationId: r.stationOrganisationId,
      brokerFiscalCode: r.brokerFiscalCode,
      primitiveVersion: r.primitiveVersion,
    },
  };
}

/** The station identity every paForNode request starts with. */
export function stationHead(target: EcTarget): { idPA: string; idBrokerPA: string; idStation: string } {
  return { idPA: target.ecFiscalCode, idBrokerPA: target.brokerFiscalCode, idStation: target.stationCode };
}

export interface EcCall<O extends EcOperation> {
  env: Environment;
  op: O;
  value: RequestOf<O>;
  target: EcTarget;
  timeoutMs: number;
  /** For the exchange log: the PSP the call serves, the notice and the token. */
  pspOrganisationId: string;
  noticeNumber: string;
  token?: string;
}

async function send(deps: Deps, call: EcCall<EcOperation>, request: OutboundRequest) {
  const { target } = call;
  if (target.via === 'simulator') {
    return {
      ok: true as const,
      value: await deps.simulator.send({ env: call.env, ecOrganisationId: target.ecOrganisationId, responseTimeoutMs: call.timeoutMs }, request),
    };
  }
  return deps.stationCaller.send(
    { organisationId: target.stationOrganisationId ?? '', env: call.env, stationId: target.stationId ?? '', responseTimeoutMs: call.timeoutMs },
    request,
  );
}

/** Calls the EC and judges its answer; every message that left is recorded (a log failure never changes the answer). */
export async function callEc<O extends EcOperation>(deps: Deps, call: EcCall<O>): Promise<EcVerdict<O>> {
  const body = encodeRequest(call.op, call.value);
  const request: OutboundRequest = { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${call.op}"` }, body };
  const party = { fiscalCode: call.target.ecFiscalCode, stationCode: call.target.stationCode };
  const at = deps.clock.now();
  const mark = performance.now();
  const sent = await send(deps, call, request);
  // A refusal of the station caller opens no connection: nothing left Varco, nothing to log as sent.
  if (!sent.ok) return refusalVerdict(sent.reason, party);
  const verdict = judgeEcResult(call.op, sent.value, party);
  await recordOut(deps, call, { at, durationMs: Math.round(performance.now() - mark), body, result: sent.value, verdict });
  return verdict;
}

async function recordOut(
  deps: Deps,
  call: EcCall<EcOperation>,
  sent: { at: Date; durationMs: number; body: string; result: OutboundResult; verdict: EcVerdict<EcOperation> },
): Promise<void> {
  const { target } = call;
  const { result, verdict } = sent;
  const response = result.kind === 'response' ? { response: result.body, httpStatus: result.status } : {};
  const judged =
    verdict.kind === 'ok'
      ? { outcome: 'OK' as const }
      : { ...(verdict.ecOutcome ? { outcome: verdict.ecOutcome } : {}), faultCode: verdict.logFaultCode, ...(verdict.error ? { error: verdict.error } : {}) };
  await deps.exchanges
    .record({
      env: call.env,
      direction: 'out',
      operation: call.op,
      at: sent.at,
      durationMs: sent.durationMs,
      pspOrganisationId: call.pspOrganisationId,
      ecOrganisationId: target.ecOrganisationId,
      stationId: target.stationId,
      stationCode: target.stationCode,
      stationOrganisationId: target.stationOrganisationId,
      noticeNumber: call.noticeNumber,
      fiscalCode: target.ecFiscalCode,
      ...(call.token ? { token: call.token } : {}),
      request: sent.body,
      // Which of the station's sites answered (the simulator has one, named by no endpoint).
      ...(target.via === 'station' ? { endpoint: result.endpoint } : {}),
      ...response,
      ...judged,
    })
    .catch((error: unknown) => deps.logger.warn({ err: error, operation: call.op }, 'pagoPA exchange log: outbound message not recorded'));
}
