import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDrill } from '../../scripts/drill/run.ts';
import { formatReport } from '../../scripts/drill/verdict.ts';

// Issue 16, disaster recovery: the same drill `npm run drill` runs (real PostgreSQL primary and
// synchronous streaming standby, two real Varco server processes on a multi-host DATABASE_URL),
// with shorter traffic phases.

test(
  'kill -9 of the primary, promotion of the standby: nothing acknowledged is lost, /readyz red then green, deliveries resume',
  { timeout: 120_000 },
  async () => {
    const lines: string[] = [];
    const report = await runDrill({ log: (line) => lines.push(line), trafficMs: 1500 });
    const text = `${lines.join('\n')}\n${formatReport(report)}`;
    assert.deepEqual(report.problems, [], text);
    assert.ok(report.ordersAccepted > 0 && report.outboxAcknowledged > 0, text);
    assert.equal(report.ordersMissing, 0, text);
    assert.equal(report.outboxMissing, 0, text);
    assert.equal(report.outboxUndelivered, 0, text);
    assert.ok(report.redDuringGap && report.greenAfter, text);
    assert.ok(report.rtoMs > 0 && report.rtoMs < 30_000, text);
  },
);
