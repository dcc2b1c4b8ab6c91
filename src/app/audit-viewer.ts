import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { searchAudit, tryVerifyAuditChain } from '../modules/audit/index.ts';
import { accountsWithEmailContaining, userLabels } from '../modules/identity/index.ts';
import { organisationsMatching, type OrganisationsService } from '../modules/organisations/index.ts';
import type { AuditLine, AuditViewer } from '../kernel/audit-viewer.ts';

// The audit-log viewer of the back office: the audit module searches its rows; identity names the
// accounts (and finds them by e-mail), organisations names the organisations (docs/adr/0011: each
// module reads its own tables). Administrators only: the http layer checks the session.

export function createAuditViewer(deps: { db: Kysely<Database>; organisations: OrganisationsService; masterKey: Buffer | undefined }): AuditViewer {
  const { db, organisations } = deps;
  return {
    search: async (search) => {
      const { email, organisation, ...rest } = search;
      const rows = await searchAudit(db, {
        ...rest,
        ...(email === undefined ? {} : { actorIdsIn: accountsWithEmailContaining(email) }),
        ...(organisation === undefined ? {} : { organisationIdsIn: organisationsMatching(organisation) }),
      });
      const people = await userLabels(
        db,
        rows.flatMap((r) => (r.actorId ? [r.actorId] : [])),
      );
      const names = await organisations.names(rows.flatMap((r) => (r.organisationId ? [r.organisationId] : [])));
      return rows.map((r): AuditLine => ({
        ...r,
        email: (r.actorId && people.get(r.actorId)?.email) ?? null,
        organisationName: (r.organisationId && names.get(r.organisationId)) ?? null,
      }));
    },
    verify: async () => {
      if (!deps.masterKey) throw new Error('The audit log is verified with the master key, which this process was not given');
      const verdict = await tryVerifyAuditChain(db, deps.masterKey);
      if (verdict === 'busy') return 'busy';
      return verdict.ok
        ? { ok: true, checked: verdict.checked, checkpointAt: verdict.checkpoint.at, signed: verdict.checkpoint.signed }
        : { ok: false, kind: verdict.kind, checked: verdict.checked, seq: verdict.seq, id: verdict.id, problem: verdict.problem };
    },
  };
}
