export { createAuditLog } from './audit.ts';
export type { AuditEntry, AuditLog } from './audit.ts';
export { verifyAuditChain } from './verify.ts';
export type { AuditVerdict, CheckpointSummary } from './verify.ts';
export { auditKeys, rowHash, GENESIS } from './chain.ts';
export type { AuditRowForHash, AuditScheme } from './chain.ts';
export { auditTrail } from './trail.ts';
export type { TrailRow } from './trail.ts';
