import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionVerdict, expiryWarningDue, portalVerifyVerdict, PORTAL_VERIFY_LIMIT } from './verification.policy.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-11-23T10:00:00Z');
const inDays = (days: number): Date => new Date(now.getTime() + days * DAY);

test('verified only when both directions succeeded', () => {
  assert.equal(connectionVerdict('unverified', true, true, false).state, 'verified');
  assert.equal(connectionVerdict('unverified', true, false, false).state, 'failing');
  assert.equal(connectionVerdict('unverified', false, true, false).state, 'failing');
  assert.equal(connectionVerdict('verified', false, false, false).state, 'failing');
});

test('only a verified station that starts failing is flagged, and only once', () => {
  assert.deepEqual(connectionVerdict('verified', false, true, false), { state: 'failing', flag: true, unflag: false });
  assert.deepEqual(connectionVerdict('failing', false, true, true), { state: 'failing', flag: false, unflag: false });
  // A station that never worked is work in progress, not an outage.
  assert.deepEqual(connectionVerdict('unverified', false, true, false), { state: 'failing', flag: false, unflag: false });
  assert.deepEqual(connectionVerdict('failing', false, true, false), { state: 'failing', flag: false, unflag: false });
  // Answering again clears the flag, so the next outage is reported again.
  assert.deepEqual(connectionVerdict('failing', true, true, true), { state: 'verified', flag: false, unflag: true });
});

test('expiry warnings: 30, 14 and 7 days before, each once, the most urgent only', () => {
  assert.equal(expiryWarningDue(inDays(45), now, []), undefined);
  assert.deepEqual(expiryWarningDue(inDays(29.5), now, []), { daysBefore: 30, daysLeft: 29 });
  assert.equal(expiryWarningDue(inDays(29.5), now, [30]), undefined);
  assert.deepEqual(expiryWarningDue(inDays(13), now, [30]), { daysBefore: 14, daysLeft: 13 });
  assert.deepEqual(expiryWarningDue(inDays(7), now, [30, 14]), { daysBefore: 7, daysLeft: 7 });
  // First seen five days before expiry: one e-mail (the 7-day one), not three.
  assert.deepEqual(expiryWarningDue(inDays(5), now, []), { daysBefore: 7, daysLeft: 5 });
  assert.equal(expiryWarningDue(inDays(5), now, [7]), undefined);
  // Expired: the checks fail loudly; no "expires in" e-mail.
  assert.equal(expiryWarningDue(inDays(-1), now, []), undefined);
});

test('portal verifications: at most three in any minute per station, with the wait until the oldest leaves the window', () => {
  const at = (seconds: number): Date => new Date(now.getTime() + seconds * 1000);
  let times: Date[] = [];
  for (const second of [0, 10, 20]) {
    const verdict = portalVerifyVerdict(times, at(second));
    assert.ok(verdict.allowed);
    times = verdict.times;
  }
  assert.deepEqual(portalVerifyVerdict(times, at(30)), { allowed: false, retryAfterSeconds: 30 });
  assert.deepEqual(portalVerifyVerdict(times, at(59.5)), { allowed: false, retryAfterSeconds: 1 });
  const later = portalVerifyVerdict(times, at(60));
  assert.ok(later.allowed, 'the first start left the window');
  assert.deepEqual(
    later.times.map((t) => (t.getTime() - now.getTime()) / 1000),
    [10, 20, 60],
    'starts older than a minute are dropped',
  );
  // A clock that went back, or starts stored out of order, cannot lift the limit.
  assert.equal(portalVerifyVerdict([at(20), at(0), at(10)], at(30)).allowed, false);
  assert.equal(PORTAL_VERIFY_LIMIT, 3);
});
