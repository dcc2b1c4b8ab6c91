/**
 * One acquirer call under a deadline, shared by the payment page, DirectLink and maintenance: the
 * call's answer, or INTERRUPTED when it throws or outlives the deadline (its late answer is dropped).
 * What an interruption means is the caller's: an order waits at 99 for the reconciliation job, a
 * maintenance operation is recorded as uncertain.
 */

export const INTERRUPTED = Symbol('interrupted');

export interface CallLogger {
  warn(obj: object, msg?: string): void;
}

export async function withDeadline<T>(
  call: () => Promise<T>,
  timeoutMs: number,
  log: { logger: CallLogger | undefined; context: object; what: string },
): Promise<T | typeof INTERRUPTED> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<typeof INTERRUPTED>((done) => {
    timer = setTimeout(() => done(INTERRUPTED), timeoutMs);
  });
  try {
    const answer = await Promise.race([call(), limit]);
    if (answer === INTERRUPTED) log.logger?.warn({ ...log.context, timeoutMs }, `acquirer did not answer in time; ${log.what}`);
    return answer;
  } catch (error) {
    log.logger?.warn({ ...log.context, err: String(error).slice(0, 300) }, `acquirer call failed; ${log.what}`);
    return INTERRUPTED;
  } finally {
    clearTimeout(timer);
  }
}
