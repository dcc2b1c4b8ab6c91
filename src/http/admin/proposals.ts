import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import type { Decider, ProposalsService, ProposalView, Proposer } from '../../modules/proposals/index.ts';
import type { Locale } from '../../views/i18n.ts';
import { adminNav } from '../../views/nav.ts';
import { proposalPage, proposalsListPage, type ProposalRowView } from '../../views/proposals/pages.ts';
import { proposalStrings } from '../../views/proposals/strings.ts';
import { sendPage } from '../shared/page.ts';
import { requireAdmin } from '../shared/session.ts';
import { form, IdParams, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import { proposalOutcomeText } from '../../views/shared/node-texts.ts';

// Back office pages of four-eyes proposals (docs/adr/0034-four-eyes.md): the list, one proposal, and
// the decision. The service refuses the proposer and a second decision; these routes only show why.

export interface AdminProposalRoutesOptions {
  proposals: ProposalsService;
}

/** The signed-in administrator as the one who proposes (the existing buttons of production actions). */
export function adminProposer(request: FastifyRequest): Proposer {
  const session = requireAdmin(request);
  return { type: 'admin', id: session.userId, email: session.email, ip: request.ip };
}

function decider(request: FastifyRequest): Decider {
  const session = requireAdmin(request);
  return { type: 'admin', id: session.userId, email: session.email, ip: request.ip };
}

/** Where a button that proposed sends the administrator: the proposal, saying it was proposed (1) or was waiting already (2). */
export function proposedRedirect(reply: FastifyReply, gated: { proposal: ProposalView; created: boolean }): FastifyReply {
  return reply.redirect(`/admin/proposals/${gated.proposal.id}?proposed=${gated.created ? '1' : '2'}`, 303);
}

function subjectInWords(locale: Locale, p: ProposalView): string {
  const t = proposalStrings(locale);
  const params = p.params as Record<string, unknown>;
  switch (p.kind) {
    case 'api_key.regenerate':
      return `${t.slot[params.slot === 'secondary' ? 'secondary' : 'primary']} · ${String(params.subscriptionId)} · ${t.overlap(Number(params.overlapHours))}`;
    case 'trust.add':
      return p.organisationId === null ? t.allOrganisations : `${t.forOrganisation} ${p.organisationId}`;
    case 'pki.rotate_client':
      return p.environment;
    default:
      return p.subjectId;
  }
}

const rowOf = (locale: Locale, p: ProposalView): ProposalRowView => ({
  id: p.id,
  kind: p.kind,
  environment: p.environment,
  subject: subjectInWords(locale, p),
  state: p.state,
  proposerEmail: p.proposer.email,
  createdAt: p.createdAt,
  expiresAt: p.expiresAt,
});

const proposalIdOf = (id: string): string => {
  if (!isId(id, 'prp')) throw new VarcoError('not_found', 'No such proposal.');
  return id;
};

export function registerAdminProposalRoutes(app: FastifyInstance, options: AdminProposalRoutesOptions): void {
  const { proposals } = options;
  const routes = typed(app);

  const detail = async (request: FastifyRequest, reply: FastifyReply, id: string, message?: { kind: 'notice' | 'error'; text: string }, status = 200) => {
    const me = decider(request);
    const found = await proposals.get(id);
    if (!found) throw new VarcoError('not_found', 'No such proposal.');
    const t = proposalStrings(request.locale);
    // Each step names its administrator by e-mail: the proposer's and decider's are on the proposal.
    const emailOf = (actorId: string | null): string | undefined =>
      actorId === found.proposer.id ? found.proposer.email : actorId === found.decider?.id ? found.decider.email : undefined;
    const history = (await proposals.history(id)).map((h) => ({
      at: h.at,
      action: t.historyActions[h.action] ?? h.action,
      actor: String(
        h.details.deciderEmail ?? h.details.proposerEmail ?? emailOf(h.actorId) ?? (h.actorId === null ? h.actorType : `${h.actorType} ${h.actorId}`),
      ),
    }));
    const body = proposalPage(
      request.locale,
      {
        ...rowOf(request.locale, found),
        deciderEmail: found.decider?.email ?? null,
        decidedAt: found.decidedAt,
        comment: found.comment,
        outcome: found.outcome === null ? null : proposalOutcomeText(request.locale, found.outcome),
        own: found.proposer.id === me.id,
        csrf: requireAdmin(request).csrfToken,
        history,
        about: await proposals.describe(found),
      },
      message,
    );
    return sendPage(request, reply, { surface: 'admin', title: `${t.proposal} ${found.id}`, body, nav: adminNav(request.locale), status });
  };

  routes.get('/proposals', { schema: { querystring: NoQuery } }, async (request, reply) => {
    requireAdmin(request);
    const rows = (await proposals.list()).map((p) => rowOf(request.locale, p));
    const t = proposalStrings(request.locale);
    return sendPage(request, reply, {
      surface: 'admin',
      title: t.proposals,
      body: proposalsListPage(request.locale, rows, new Date()),
      nav: adminNav(request.locale),
    });
  });

  routes.get('/proposals/:id', { schema: { params: IdParams, querystring: query({ proposed: Text, decided: Text }) } }, (request, reply) => {
    const t = proposalStrings(request.locale);
    const { proposed, decided } = request.query;
    const text = proposed === '1' ? t.proposedNotice : proposed === '2' ? t.alreadyWaiting : decided === '1' ? t.decidedNotice : undefined;
    return detail(request, reply, proposalIdOf(request.params.id), text ? { kind: 'notice', text } : undefined);
  });

  routes.post('/proposals/:id/approve', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const id = proposalIdOf(request.params.id);
    const result = await proposals.approve(id, decider(request));
    if (!result.ok) {
      if (result.reason === 'not_found') throw new VarcoError('not_found', 'No such proposal.');
      return detail(
        request,
        reply,
        id,
        { kind: 'error', text: proposalStrings(request.locale).problems[result.reason] },
        result.reason === 'own_proposal' ? 403 : 409,
      );
    }
    return reply.redirect(`/admin/proposals/${id}?decided=1`, 303);
  });

  routes.post('/proposals/:id/reject', { schema: { params: IdParams, querystring: NoQuery, body: form({ comment: Text }) } }, async (request, reply) => {
    const id = proposalIdOf(request.params.id);
    const result = await proposals.reject(id, decider(request), request.body.comment ?? '');
    if (!result.ok) {
      if (result.reason === 'not_found') throw new VarcoError('not_found', 'No such proposal.');
      const status = result.reason === 'own_proposal' ? 403 : result.reason === 'comment_required' ? 400 : 409;
      return detail(request, reply, id, { kind: 'error', text: proposalStrings(request.locale).problems[result.reason] }, status);
    }
    return reply.redirect(`/admin/proposals/${id}?decided=1`, 303);
  });
}
