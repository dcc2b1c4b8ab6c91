export { createIdentityService, isEmail } from './identity.service.ts';
export type { IdentityService, SignInOutcome } from './identity.service.ts';
export type { SessionView } from './sessions.ts';
export type { AccessActor, AccessChanged, AccessProblem } from './account-access.ts';
export { deleteExpiredSessions } from './sessions.ts';
export { checkPassword, hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './password.ts';
export type { PasswordProblem } from './password.ts';
export type { Surface } from './identity.repository.ts';
export type { ChangePasswordOutcome } from './password-change.ts';
// The users table as other modules need it, in their transaction (docs/adr/0011).
export {
  adminRecipients,
  userLabels,
  accountsWithEmailContaining,
  createReferent,
  enabledReferentsOf,
  findEnabledAdmin,
  findEnabledReferent,
  referentEmailTaken,
  referentsOf,
} from './accounts.ts';
export type { NewReferent, Recipient } from './accounts.ts';
export {
  createPasswordResets,
  parseResetRequest,
  prunePasswordResets,
  RESET_TTL_MS,
  RESETS_PER_IP_PER_HOUR,
  RESETS_PER_PERSON_PER_HOUR,
} from './password-reset.ts';
export { pruneThrottles } from './throttle.repository.ts';
export type {
  PasswordResets,
  ResetMailer,
  ResetQueue,
  ResetRequest,
  ResetLinkActor,
  ResetLinkState,
  ResetOutcome,
  ResetRequestOutcome,
} from './password-reset.ts';
