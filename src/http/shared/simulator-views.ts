import { DEFAULT_AMOUNT_CENTS, DEFAULT_IBAN, type SimulatorView } from '../../modules/pagopa-simulator/index.ts';
import { formatMoney } from '../../views/format.ts';
import type { Locale } from '../../views/i18n.ts';
import type { ScenarioRowView, SimulatorPageView } from '../../views/pagopa-simulator/pages.ts';

// Simulator settings → the plain view model of the test EC scenarios page, shared by the portal
// (with forms) and the back office (read-only), which must not import each other.

export function scenarioRows(locale: Locale, view: SimulatorView): ScenarioRowView[] {
  return view.scenarios.map((s, i) => {
    const hiddenBy = view.shadowedBy[i];
    return {
      id: s.id,
      pattern: s.pattern,
      answer: s.answer,
      ...(s.payment ? { amount: formatMoney(locale, s.payment.amountCents, 'EUR') } : {}),
      transfers: s.payment?.transfers.length ?? 0,
      delayMs: s.delayMs,
      delayOn: s.delayOn,
      malformedOn: s.malformedOn,
      refuseReceipts: s.refuseReceipts,
      refuseWith: s.refuseWith,
      ...(hiddenBy === undefined ? {} : { shadowedBy: hiddenBy + 1 }),
    };
  });
}

/** The page's view model; without `csrf` it is the back office's read-only view. */
export function simulatorPageView(
  locale: Locale,
  view: SimulatorView,
  base: string,
  extra: {
    csrf?: string;
    notice?: string;
    error?: string;
    unregistered?: boolean;
    ecDisabled?: boolean;
    problems?: ReadonlyArray<{ field: string; text: string }>;
  } = {},
): SimulatorPageView {
  return {
    eligibility: view.eligibility,
    ...(view.ec ? { ec: view.ec } : {}),
    enabled: view.enabled,
    primitiveVersion: view.primitiveVersion,
    version: view.version,
    ...(view.updatedAt ? { updatedAt: view.updatedAt } : {}),
    scenarios: scenarioRows(locale, view),
    defaultAmount: formatMoney(locale, DEFAULT_AMOUNT_CENTS, 'EUR'),
    defaultIban: DEFAULT_IBAN,
    base,
    ...extra,
  };
}
