import { setTimeout as wait } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Database, NotifiedMemo } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { VarcoError } from '../../kernel/errors.ts';
import type { OutboundFailure, OutboundRequest, OutboundResult } from '../outbound/index.ts';
import { buildSoapFault } from '../../protocols/pagopa/index.ts';
import { decide, deliveryKey, noticeOf, readStationCall, type SimulatedAnswer } from './answer.policy.ts';
import * as repo from './simulator.repository.ts';
import { simulatedEc } from './simulator.service.ts';

// The built-in simulated station: the I/O around the pure decision (answer.policy.ts). It answers
// exactly what the outbound client would give for a real station — an OutboundResponse, or an
// OutboundFailure for a timeout — so the node cannot tell the two apart. Test environment only.

export type SimulatorEnv = 'test' | 'prod';

export interface SimulatorTarget {
  env: SimulatorEnv;
  ecOrganisationId: string;
  /** The call's response timeout: a slower scenario waits this long, then fails as `timeout`. */
  responseTimeoutMs: number;
}

export interface SimulatedStation {
  /** The EC's simulator when it is switched on, in the test environment; undefined otherwise (always in prod). */
  isEnabled(env: SimulatorEnv, ecOrganisationId: string): Promise<{ primitiveVersion: 1 | 2 } | undefined>;
  send(target: SimulatorTarget, request: OutboundRequest): Promise<OutboundResult>;
}

export interface SimulatedStationOptions {
  db: Kysely<Database>;
  clock: Clock;
  /**
   * Keeps each institution's simulator row until one changes (the station memory of the stations
   * module, notified by migration 0035); without it every call reads the database.
   */
  memo?: Pick<NotifiedMemo, 'remember'> | undefined;
}

/** Longest response timeout a call may ask for (the station caller's bound). */
const MAX_TIMEOUT_MS = 120_000;

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found?.[1];
}

/** Not reachable at all, like a station that does not exist: nothing is answered. */
function unreachable(code: string, message: string, startedAt: number): OutboundFailure {
  return { kind: 'failure', category: 'unreachable', code, message, endpoint: 'primary', durationMs: Math.round(performance.now() - startedAt) };
}

export function createSimulatedStation(options: SimulatedStationOptions): SimulatedStation {
  const { db, clock, memo } = options;
  // Asked before every call to an EC in the test environment, simulated or not (twice per payment flow).
  // Only what a call uses is kept: plain data the memory can freeze (a Date's time could still be set).
  const simulatorOf = (ecOrganisationId: string): Promise<repo.SimulatorSettings | undefined> => {
    const load = async (): Promise<repo.SimulatorSettings | undefined> => {
      const row = await repo.findSimulator(db, ecOrganisationId);
      return row && repo.settingsOf(row);
    };
    return memo ? memo.remember(JSON.stringify(['simulator', ecOrganisationId]), load) : load();
  };

  async function isEnabled(env: SimulatorEnv, ecOrganisationId: string): Promise<{ primitiveVersion: 1 | 2 } | undefined> {
    if (env !== 'test') return undefined;
    const row = await simulatorOf(ecOrganisationId);
    return row?.enabled ? { primitiveVersion: row.primitive_version } : undefined;
  }

  async function answerFor(ecOrganisationId: string, row: repo.SimulatorSettings, request: OutboundRequest): Promise<SimulatedAnswer | undefined> {
    const ec = await simulatedEc(db, ecOrganisationId);
    if (!ec) return undefined;
    if (request.method !== 'POST')
      return { status: 405, contentType: 'text/plain; charset=utf-8', body: 'Method Not Allowed', delayMs: 0, outcome: 'http_error' };
    const read = readStationCall(request.body ?? '', header(request.headers, 'soapaction'), ec);
    if (!read.ok) return read.answer;
    const key = deliveryKey(read.call, ec, row.primitive_version);
    // Counted before deciding, as a real station counts what reaches it (even if its answer is then too late).
    const receiptDelivery =
      key === undefined
        ? undefined
        : await repo.countDelivery(db, { organisationId: ecOrganisationId, receiptKey: key, noticeNumber: noticeOf(read.call).noticeNumber, at: clock.now() });
    try {
      return decide({
        scenarios: row.scenarios,
        ec,
        call: read.call,
        primitiveVersion: row.primitive_version,
        now: clock.now(),
        ...(receiptDelivery === undefined ? {} : { receiptDelivery }),
      });
    } catch {
      // Only a stored scenario that no longer passes the encoder gets here: answer as a broken station would.
      return {
        status: 500,
        contentType: 'text/xml; charset=utf-8',
        body: buildSoapFault('Server', 'Errore della stazione simulata'),
        delayMs: 0,
        outcome: 'soap_fault',
      };
    }
  }

  async function send(target: SimulatorTarget, request: OutboundRequest): Promise<OutboundResult> {
    const startedAt = performance.now();
    const timeoutMs = target.responseTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new VarcoError('validation_failed', `A simulated station call timeout must be whole milliseconds from 1 to ${MAX_TIMEOUT_MS}.`);
    }
    if (target.env !== 'test') return unreachable('simulator_test_only', 'The simulated station exists only in the test environment.', startedAt);
    const row = await simulatorOf(target.ecOrganisationId);
    if (!row?.enabled) return unreachable('simulator_not_enabled', 'The institution\u2019s simulated station is not switched on.', startedAt);
    const answer = await answerFor(target.ecOrganisationId, row, request);
    if (!answer) return unreachable('simulator_not_enabled', 'The institution cannot have a simulated station.', startedAt);
    const left = timeoutMs - (performance.now() - startedAt);
    if (answer.delayMs >= left) {
      await wait(Math.max(0, left));
      return {
        kind: 'failure',
        category: 'timeout',
        code: 'response_timeout',
        endpoint: 'primary',
        durationMs: Math.round(performance.now() - startedAt),
        message: `The simulated station accepted the request but sent no complete answer within ${timeoutMs} ms.`,
      };
    }
    if (answer.delayMs > 0) await wait(answer.delayMs);
    return {
      kind: 'response',
      status: answer.status,
      body: answer.body,
      bodyTruncated: false,
      endpoint: 'primary',
      durationMs: Math.round(performance.now() - startedAt),
      headers: { 'content-type': answer.contentType, 'content-length': String(Buffer.byteLength(answer.body)) },
    };
  }

  return { isEnabled, send };
}
