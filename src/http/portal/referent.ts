import type { FastifyRequest } from 'fastify';
import { requireReferent } from '../shared/session.ts';

// The signed-in referent as the portal's pages use it: who acts (for the audit), the one
// organisation every lookup is limited to, and the session's CSRF token for the page's forms.

export interface Referent {
  actor: { type: 'referent'; id: string; ip: string };
  organisationId: string;
  csrf: string;
}

export function referentOf(request: FastifyRequest): Referent {
  const session = requireReferent(request);
  return { actor: { type: 'referent', id: session.userId, ip: request.ip }, organisationId: session.organisationId, csrf: session.csrfToken };
}

/** referentOf, with the organisation named in the actor too (the services that check ownership by it). */
export function referentWithOrganisation(request: FastifyRequest): Omit<Referent, 'actor'> & { actor: Referent['actor'] & { organisationId: string } } {
  const referent = referentOf(request);
  return { ...referent, actor: { ...referent.actor, organisationId: referent.organisationId } };
}
