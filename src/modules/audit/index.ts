export { appendAudit, verifyAuditChain, auditHash } from './audit.ts';
export type { AuditEntry, AuditVerdict } from './audit.ts';
