// What the two home pages show (issue 14): the back office work queues and the portal onboarding checklist.
// A work queue as the back office home shows it (issue 14): how many items wait, and since when the
// oldest one does. Each owning module counts its own queue; the home only reads these.
export interface QueueCount {
  count: number;
  /** When the oldest waiting item started waiting; null when the queue is empty. */
  oldest: Date | null;
}

/** A `count(*)`/`min(…)` row as PostgreSQL returns it (bigint as text), as a QueueCount. */
export function queueCount(row: { n: string | number | bigint; oldest: Date | string | null } | undefined): QueueCount {
  if (!row) return { count: 0, oldest: null };
  return { count: Number(row.n), oldest: row.oldest === null ? null : new Date(row.oldest) };
}

/** The back office home's queues (issue 14), counted by their owning modules (src/app/queues.ts gathers them). */
export const QUEUE_NAMES = ['subscriptions', 'stationsToReview', 'stationsFailing', 'certificatesExpiring', 'deliveriesExhausted'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface BackOfficeQueues {
  counts(): Promise<Record<QueueName, QueueCount>>;
}

/** One step of an organisation's onboarding checklist on the portal home (issue 14). */
export type ChecklistStepId = 'profile' | 'subscription' | 'approval' | 'keys' | 'settings' | 'station' | 'verification' | 'inbound' | 'first';
export interface ChecklistStep {
  id: ChecklistStepId;
  done: boolean;
}

export interface OnboardingChecklist {
  /** The steps for this kind of organisation, in order; the first not done is "next". */
  of(organisationId: string, type: 'creditor_institution' | 'psp' | 'merchant' | 'technology_partner'): Promise<ChecklistStep[]>;
}

/** One line of a timeline (issue 14): when, what (an audit action), who (an e-mail, or null when not shown). */
export interface TimelineEvent {
  at: Date;
  action: string;
  actorType: string;
  who: string | null;
  details: Record<string, unknown>;
}

export interface Timelines {
  of(
    subjectType: 'subscription' | 'station' | 'order',
    subjectId: string,
    viewer: { kind: 'admin' } | { kind: 'referent'; organisationId: string },
  ): Promise<TimelineEvent[]>;
}
