import {
  parseCheckResult,
  type CheckRow,
  type FieldProblem,
  type StationDetail,
  type StationInput,
  type StationListRow,
  type VersionRow,
} from '../../modules/stations/index.ts';
import type { CheckView } from '../../views/stations/checks.ts';
import type { FormProblem, StationForm, StationRowView, StationView, VersionView } from '../../views/stations/pages.ts';
import type { Static } from 'typebox';
import { form, Text } from './schemas.ts';

// Station data → the plain view models the station pages take, shared by the portal and the back
// office (which must not import each other).

/** The station form (register, edit). */
export const StationFormBody = form({
  code: Text,
  environment: Text,
  primaryUrl: Text,
  primaryIp: Text,
  primaryPort: Text,
  secondaryUrl: Text,
  secondaryIp: Text,
  secondaryPort: Text,
});

export function formFromBody(body: Static<typeof StationFormBody>): StationForm {
  const field = (name: keyof typeof body): string => body[name] ?? '';
  return {
    code: field('code'),
    environment: field('environment'),
    primaryUrl: field('primaryUrl'),
    primaryIp: field('primaryIp'),
    primaryPort: field('primaryPort'),
    secondaryUrl: field('secondaryUrl'),
    secondaryIp: field('secondaryIp'),
    secondaryPort: field('secondaryPort'),
  };
}

export function inputFromForm(form: StationForm): StationInput {
  return {
    code: form.code ?? '',
    primary: { url: form.primaryUrl ?? '', ip: form.primaryIp ?? '', port: form.primaryPort ?? '' },
    secondary: { url: form.secondaryUrl ?? '', ip: form.secondaryIp ?? '', port: form.secondaryPort ?? '' },
  };
}

export function formFromVersion(version: VersionRow | undefined): StationForm {
  if (!version) return {};
  return {
    primaryUrl: version.primary_url,
    primaryIp: version.primary_ip,
    primaryPort: String(version.primary_port),
    secondaryUrl: version.secondary_url ?? '',
    secondaryIp: version.secondary_ip ?? '',
    secondaryPort: version.secondary_port === null ? '' : String(version.secondary_port),
  };
}

export const formProblems = (problems: FieldProblem[]): FormProblem[] => problems.map((p) => ({ field: p.field, problem: p.problem }));

export function rowView(r: StationListRow & { organisation_name?: string }): StationRowView {
  return {
    id: r.id,
    code: r.code,
    environment: r.environment,
    organisationName: r.organisation_name ?? '',
    pendingState: r.pending_state ?? null,
    approved: r.approved_version_id !== null,
    connectionState: r.connection_state,
    flaggedAt: r.flagged_at,
    primaryUrl: r.approved_primary_url ?? null,
  };
}

function versionView(v: VersionRow): VersionView {
  return {
    id: v.id,
    version: v.version,
    state: v.state,
    reviewNote: v.review_note,
    submittedAt: v.submitted_at,
    reviewedAt: v.reviewed_at,
    primary: { url: v.primary_url, ip: v.primary_ip, port: v.primary_port },
    secondary:
      v.secondary_url !== null && v.secondary_ip !== null && v.secondary_port !== null
        ? { url: v.secondary_url, ip: v.secondary_ip, port: v.secondary_port }
        : undefined,
  };
}

export function checkView(c: CheckRow): CheckView {
  const result = parseCheckResult(c.result);
  return {
    id: c.id,
    versionId: c.version_id,
    startedAt: c.started_at,
    trigger: c.trigger,
    ok: c.ok,
    durationMs: c.duration_ms,
    endpoints: (result?.outbound.endpoints ?? []).map((e) => ({
      role: e.role,
      url: e.url,
      ip: e.ip,
      port: e.port,
      ok: e.ok,
      steps: e.steps.map((s) => ({
        step: s.step,
        status: s.status,
        durationMs: s.durationMs,
        message: s.message,
        fix: s.fix,
        code: s.code,
        params: s.params,
        checks: s.checks?.map((c) => ({ ok: c.ok, message: c.message, fix: c.fix, code: c.code, params: c.params })),
      })),
    })),
    inbound: result?.inbound ?? { ok: false, lastPingAt: null },
  };
}

export function stationView(d: StationDetail, lastPingAt: Date | null): StationView {
  const s = d.station;
  return {
    id: s.id,
    code: s.code,
    environment: s.environment,
    organisationName: d.organisationName,
    connectionState: s.connection_state,
    lastCheckAt: s.last_check_at,
    flaggedAt: s.flagged_at,
    connectTimeoutMs: s.connect_timeout_ms,
    responseTimeoutMs: s.response_timeout_ms,
    approved: d.approved ? versionView(d.approved) : undefined,
    pending: d.pending ? versionView(d.pending) : undefined,
    versions: d.versions.map(versionView),
    checks: d.checks.map(checkView),
    lastPingAt: lastPingAt?.toISOString() ?? null,
  };
}
