import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { ChecklistStep, OnboardingChecklist } from '../kernel/home.ts';
import { hasOrders } from '../modules/checkout/index.ts';
import { merchantConfigured } from '../modules/merchants/index.ts';
import { hasExchanges } from '../modules/pagopa-exchanges/index.ts';
import { stationProgress } from '../modules/stations/index.ts';
import { subscriptionProgress } from '../modules/subscriptions/index.ts';

// The portal home's onboarding checklist (issue 14): profile → subscription → approval → keys →
// (merchant: technical settings; creditor institution or partner: station → verification; PSP: a
// first call with the key) → first payment or first pagoPA message. Each module answers for its part.

export function createOnboardingChecklist(deps: { db: Kysely<Database> }): OnboardingChecklist {
  const { db } = deps;
  return {
    of: async (organisationId, type) => {
      const subs = await subscriptionProgress(db, organisationId);
      const steps: ChecklistStep[] = [
        // The organisation exists and this referent confirmed the invitation: the profile is there.
        { id: 'profile', done: true },
        { id: 'subscription', done: subs.requested },
        { id: 'approval', done: subs.active },
        { id: 'keys', done: subs.keyRevealed },
      ];
      if (type === 'merchant') {
        steps.push({ id: 'settings', done: await merchantConfigured(db, organisationId) }, { id: 'first', done: await hasOrders(db, organisationId) });
        return steps;
      }
      if (type === 'psp') {
        steps.push({ id: 'inbound', done: subs.called });
      } else {
        const stations = await stationProgress(db, organisationId);
        steps.push({ id: 'station', done: stations.approved }, { id: 'verification', done: stations.verified });
      }
      steps.push({ id: 'first', done: await hasExchanges(db, organisationId) });
      return steps;
    },
  };
}
