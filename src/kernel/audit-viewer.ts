// The back office's audit-log viewer, as the pages see it: the audit module's rows with the person
// (e-mail) and the organisation (name) resolved by their owning modules (src/app/audit-viewer.ts).

export interface AuditViewerSearch {
  organisationId?: string;
  /** Part of the organisation's name or tax code (case-insensitive). */
  organisation?: string;
  /** An action code or its start (`subscription.`). */
  actionPrefix?: string;
  /** admin, referent, cli, system, anonymous, subscription… */
  actorType?: string;
  /** Part of the acting account's e-mail (case-insensitive). */
  email?: string;
  subjectId?: string;
  from?: Date;
  until?: Date;
  beforeSeq?: number;
  limit: number;
}

export interface AuditLine {
  seq: number;
  id: string;
  at: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  /** The acting account's e-mail, when the actor is an account that still exists. */
  email: string | null;
  subjectType: string | null;
  subjectId: string | null;
  organisationId: string | null;
  /** The organisation's name, when it still exists. */
  organisationName: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** `varco audit verify`'s verdict as a page shows it. */
export type AuditCheck =
  | { ok: true; checked: number; checkpointAt: string; signed: boolean }
  | { ok: false; kind: 'row' | 'missing' | 'checkpoint'; checked: number; seq: number; id: string | null; problem: string };

export interface AuditViewer {
  search(search: AuditViewerSearch): Promise<AuditLine[]>;
  /** The whole chain checked against the signed checkpoint, as `varco audit verify` does; 'busy' while another check runs. */
  verify(): Promise<AuditCheck | 'busy'>;
}
