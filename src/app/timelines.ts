import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { auditTrail } from '../modules/audit/index.ts';
import { userLabels } from '../modules/identity/index.ts';
import type { TimelineEvent, Timelines } from '../kernel/home.ts';

// Timelines (issue 14): what happened to a subscription, a station or an order, oldest first, from the
// audit log, with who did it. A referent sees the people of their own organisation by e-mail and
// Varco's administrators only as "administrator"; the back office sees everyone.

export function createTimelines(deps: { db: Kysely<Database> }): Timelines {
  const { db } = deps;
  return {
    of: async (subjectType, subjectId, viewer) => {
      const rows = await auditTrail(db, subjectType, subjectId, 200);
      const people = await userLabels(
        db,
        rows.flatMap((r) => (r.actorId ? [r.actorId] : [])),
      );
      return rows.map((r): TimelineEvent => {
        const person = r.actorId ? people.get(r.actorId) : undefined;
        const visible = person && (viewer.kind === 'admin' || (person.kind === 'referent' && person.organisationId === viewer.organisationId));
        return { at: r.at, action: r.action, actorType: r.actorType, who: visible ? person.email : null, details: r.details };
      });
    },
  };
}
