export { createOrganisationsService, ORGANISATION_PROBLEM_TEXT } from './organisations.service.ts';
export type { OrganisationsService, Actor, NewOrganisation, OrganisationProblem } from './organisations.service.ts';
export { createInvitationsService, INVITE_PROBLEM_TEXT, INVITATION_TTL_MS } from './invitations.service.ts';
export type { InvitationProducts, InvitationsService, InvitationState, InviteProblem } from './invitations.service.ts';
export { checkTaxCode, checkItalianTaxCode, ORGANISATION_TYPES } from './organisation.policy.ts';
export type { OrganisationType } from './organisation.policy.ts';
export { findOrganisation as getOrganisation } from './organisations.repository.ts';
// For other modules' queries: an organisation's fields as expressions, still one query (docs/adr/0011).
export { organisationFields, organisationsMatching, organisationWithTaxCode } from './organisations.repository.ts';
export type { OrganisationSearch } from './organisations.repository.ts';
// The referents live in identity's users table; kept here for the callers that ask organisations.
export { referentsOf as listReferents } from '../identity/index.ts';
