import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import {
  DEFAULT_AMOUNT_CENTS,
  DEFAULT_CATEGORY,
  DEFAULT_IBAN,
  formatEuros,
  MAX_TRANSFERS,
  padTransfers,
  scenarioToInput,
  type Change,
  type PagopaSimulator,
  type Scenario,
  type ScenarioInput,
  type SimulatorActor,
  type SimulatorView,
} from '../../modules/pagopa-simulator/index.ts';
import type { PagopaRegistry } from '../../modules/pagopa-registry/index.ts';
import type { SafeHtml } from '../../views/html.ts';
import { portalNav } from '../../views/nav.ts';
import { scenarioFormPage, simulatorPage } from '../../views/pagopa-simulator/pages.ts';
import { problemText, simulatorStrings } from '../../views/pagopa-simulator/strings.ts';
import { simulatorPageView } from '../shared/simulator-views.ts';
import { sendPage } from '../shared/page.ts';
import { form, IdParams, NoQuery, query, Text, TextList, textOf, listOf, rawText, typed } from '../shared/schemas.ts';
import type { Static } from 'typebox';
import { referentOf } from './referent.ts';

// The portal's *Test EC scenarios* (test environment only): the referent's own institution's
// simulated station. Every route works on the session's organisation; a scenario id of another
// organisation is simply not in that list and answers 404, like an unknown one.

export interface PortalSimulatorRoutesOptions {
  pagopaSimulator: PagopaSimulator;
  /** Whether the institution is registered as an EC in test (the page says so when it is not). */
  pagopaRegistry: PagopaRegistry;
}

const BASE = '/portal/pagopa/simulator';
/** One more transfer than the form shows is read, so the service can refuse too many. */
const TRANSFER_FIELDS = Object.fromEntries(
  Array.from({ length: MAX_TRANSFERS + 1 }, (_, i) => i + 1).flatMap((n) =>
    ['Amount', 'FiscalCode', 'Iban', 'Remittance', 'Category'].map((part) => [`t${n}${part}`, Text]),
  ),
);
const ScenarioForm = form({
  version: Text,
  pattern: Text,
  answer: Text,
  amount: Text,
  description: Text,
  companyName: Text,
  dueDate: Text,
  delayMs: Text,
  delayOn: TextList,
  malformedOn: TextList,
  refuseReceipts: Text,
  refuseWith: Text,
  ...TRANSFER_FIELDS,
});
const SettingsForm = form({ version: Text, enabled: Text, primitiveVersion: Text });
const MoveForm = form({ version: Text, direction: Text });
const VersionForm = form({ version: Text });
type Body = Static<typeof ScenarioForm>;
const field = textOf<Body>;
const list = listOf<Body>;
/** `t<n><Part>`: declared above (TRANSFER_FIELDS), named at run time. */
const transferField = (body: Body, name: string): string => rawText(body, name) ?? '';
/** The version the page was built from; anything unreadable can only be stale. */
const versionOf = (body: { version?: string }): number => (/^\d{1,9}$/.test(body.version ?? '') ? Number(body.version) : -1);

function referent(request: FastifyRequest): { actor: SimulatorActor; organisationId: string; csrf: string } {
  return referentOf(request);
}

function inputFromBody(body: Body): ScenarioInput {
  const transfers = Array.from({ length: MAX_TRANSFERS + 1 }, (_, i) => i + 1).map((n) => ({
    amount: transferField(body, `t${n}Amount`),
    fiscalCode: transferField(body, `t${n}FiscalCode`),
    iban: transferField(body, `t${n}Iban`),
    remittance: transferField(body, `t${n}Remittance`),
    category: transferField(body, `t${n}Category`),
  }));
  return {
    pattern: field(body, 'pattern'),
    answer: field(body, 'answer'),
    amount: field(body, 'amount'),
    description: field(body, 'description'),
    companyName: field(body, 'companyName'),
    dueDate: field(body, 'dueDate'),
    transfers,
    delayMs: field(body, 'delayMs'),
    delayOn: list(body, 'delayOn'),
    malformedOn: list(body, 'malformedOn'),
    refuseReceipts: field(body, 'refuseReceipts'),
    refuseWith: field(body, 'refuseWith'),
  };
}

function newScenarioInput(view: SimulatorView): ScenarioInput {
  const amount = formatEuros(DEFAULT_AMOUNT_CENTS);
  return {
    pattern: '',
    answer: 'payable',
    amount,
    description: 'Avviso di prova',
    companyName: '',
    dueDate: '',
    transfers: padTransfers([
      { amount, fiscalCode: view.ec?.fiscalCode ?? '', iban: DEFAULT_IBAN, remittance: 'Pagamento di prova', category: DEFAULT_CATEGORY },
    ]),
    delayMs: '0',
    delayOn: [],
    malformedOn: [],
    refuseReceipts: '0',
    refuseWith: 'ko',
  };
}

export function registerPortalSimulatorRoutes(app: FastifyInstance, options: PortalSimulatorRoutesOptions): void {
  const { settings } = options.pagopaSimulator;
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    sendPage(request, reply, { surface: 'portal', title, body, nav: portalNav(request.locale), status });

  const ownView = async (request: FastifyRequest): Promise<SimulatorView> => {
    const view = await settings.view(referent(request).organisationId);
    if (!view) throw new VarcoError('not_found', 'No such organisation.');
    return view;
  };

  const mainPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: string; error?: string; problems?: ReadonlyArray<{ field: string; text: string }> } = {},
    status = 200,
  ) => {
    const { csrf } = referent(request);
    const view = await ownView(request);
    // Asked as the node asks (the directory's cached lookup): an institution it does not know gets
    // PPT_DOMINIO_SCONOSCIUTO for every notice, one whose registration is disabled PPT_DOMINIO_DISABILITATO,
    // and neither reaches the simulated station, so the page says so.
    const registration = view.ec === undefined ? undefined : await options.pagopaRegistry.isEc('test', view.ec.fiscalCode);
    const unregistered = view.ec !== undefined && registration === undefined;
    const ecDisabled = registration !== undefined && !registration.enabled;
    return send(
      request,
      reply,
      simulatorStrings(request.locale).title,
      simulatorPage(request.locale, simulatorPageView(request.locale, view, BASE, { csrf, unregistered, ecDisabled, ...extra })),
      status,
    );
  };

  const ownScenario = async (request: FastifyRequest, id: string): Promise<{ view: SimulatorView; scenario: Scenario }> => {
    const view = await ownView(request);
    const scenario = isId(id, 'scn') ? view.scenarios.find((s) => s.id === id) : undefined;
    if (!scenario) throw new VarcoError('not_found', 'No such scenario.');
    return { view, scenario };
  };

  const formPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    input: {
      action: string;
      title: string;
      values: ScenarioInput;
      version: number;
      problems?: Array<{ field: string; code: string; params?: Record<string, string> }>;
      error?: string;
    },
    status = 200,
  ) => {
    const { csrf } = referent(request);
    const problems = (input.problems ?? []).map((p) => ({ field: p.field, text: problemText(request.locale, p) }));
    const values = { ...input.values, transfers: input.values.transfers.slice(0, MAX_TRANSFERS) };
    return send(
      request,
      reply,
      input.title,
      scenarioFormPage(request.locale, {
        action: input.action,
        back: BASE,
        values,
        problems,
        csrf,
        version: input.version,
        ...(input.error ? { error: input.error } : {}),
      }),
      status,
    );
  };

  /** What a refused change shows: the form again (invalid), or the scenarios with a message. */
  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: Exclude<Change<unknown>, { ok: true }>,
    form: { action: string; title: string; values: ScenarioInput; version: number },
  ) => {
    const t = simulatorStrings(request.locale);
    switch (outcome.reason) {
      case 'not_found':
        throw new VarcoError('not_found', 'No such scenario.');
      case 'not_eligible':
        throw new VarcoError('forbidden', 'Simulated stations are for creditor institutions with an 11-digit fiscal code.');
      case 'invalid':
        return formPage(request, reply, { ...form, problems: outcome.problems ?? [] }, 400);
      case 'too_many':
        return mainPage(request, reply, { error: t.tooMany }, 409);
      case 'stale':
        return mainPage(request, reply, { error: t.stale }, 409);
    }
  };

  const routes = typed(app);
  routes.get('/pagopa/simulator', { schema: { querystring: query({ saved: Text }) } }, async (request, reply) => {
    const t = simulatorStrings(request.locale);
    const saved = request.query.saved;
    const notice = saved === '1' ? t.saved : saved === 'unchanged' ? t.nothingChanged : undefined;
    return mainPage(request, reply, notice === undefined ? {} : { notice });
  });

  routes.post('/pagopa/simulator/settings', { schema: { querystring: NoQuery, body: SettingsForm } }, async (request, reply) => {
    const who = referent(request);
    const body = request.body;
    const input = { enabled: body.enabled === 'on', primitiveVersion: body.primitiveVersion, expectedVersion: versionOf(body) };
    const outcome = await settings.updateSettings(who.organisationId, input, who.actor);
    if (!outcome.ok && outcome.reason === 'invalid') {
      const problems = (outcome.problems ?? []).map((p) => ({ field: p.field, text: problemText(request.locale, p) }));
      return mainPage(request, reply, { error: problems.map((p) => p.text).join(' '), problems }, 400);
    }
    if (!outcome.ok) return refused(request, reply, outcome, { action: '', title: '', values: newScenarioInput(await ownView(request)), version: 0 });
    return reply.redirect(`${BASE}?saved=${outcome.value.changed ? '1' : 'unchanged'}`, 303);
  });

  routes.get('/pagopa/simulator/scenarios/new', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const view = await ownView(request);
    if (view.eligibility !== 'eligible') throw new VarcoError('forbidden', 'Simulated stations are for creditor institutions with an 11-digit fiscal code.');
    return formPage(request, reply, {
      action: `${BASE}/scenarios`,
      title: simulatorStrings(request.locale).newTitle,
      values: newScenarioInput(view),
      version: view.version,
    });
  });

  routes.post('/pagopa/simulator/scenarios', { schema: { querystring: NoQuery, body: ScenarioForm } }, async (request, reply) => {
    const who = referent(request);
    const body = request.body;
    const values = inputFromBody(body);
    const outcome = await settings.addScenario(who.organisationId, values, versionOf(body), who.actor);
    if (!outcome.ok)
      return refused(request, reply, outcome, {
        action: `${BASE}/scenarios`,
        title: simulatorStrings(request.locale).newTitle,
        values,
        version: versionOf(body),
      });
    return reply.redirect(`${BASE}?saved=1`, 303);
  });

  routes.get('/pagopa/simulator/scenarios/:id', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const { view, scenario } = await ownScenario(request, request.params.id);
    const title = simulatorStrings(request.locale).editTitle.replace('{pattern}', scenario.pattern);
    return formPage(request, reply, { action: `${BASE}/scenarios/${scenario.id}`, title, values: scenarioToInput(scenario), version: view.version });
  });

  routes.post('/pagopa/simulator/scenarios/:id', { schema: { params: IdParams, querystring: NoQuery, body: ScenarioForm } }, async (request, reply) => {
    const who = referent(request);
    const { scenario } = await ownScenario(request, request.params.id);
    const body = request.body;
    const values = inputFromBody(body);
    const outcome = await settings.updateScenario(who.organisationId, scenario.id, values, versionOf(body), who.actor);
    const title = simulatorStrings(request.locale).editTitle.replace('{pattern}', scenario.pattern);
    if (!outcome.ok) return refused(request, reply, outcome, { action: `${BASE}/scenarios/${scenario.id}`, title, values, version: versionOf(body) });
    return reply.redirect(`${BASE}?saved=1`, 303);
  });

  routes.post('/pagopa/simulator/scenarios/:id/move', { schema: { params: IdParams, querystring: NoQuery, body: MoveForm } }, async (request, reply) => {
    const who = referent(request);
    const { view, scenario } = await ownScenario(request, request.params.id);
    const body = request.body;
    const direction = body.direction ?? '';
    if (direction !== 'up' && direction !== 'down' && direction !== 'top' && direction !== 'bottom')
      throw new VarcoError('validation_failed', 'The direction must be up, down, top or bottom.');
    const outcome = await settings.moveScenario(who.organisationId, scenario.id, direction, versionOf(body), who.actor);
    if (!outcome.ok) return refused(request, reply, outcome, { action: '', title: '', values: newScenarioInput(view), version: 0 });
    return reply.redirect(`${BASE}?saved=1`, 303);
  });

  routes.post('/pagopa/simulator/scenarios/:id/delete', { schema: { params: IdParams, querystring: NoQuery, body: VersionForm } }, async (request, reply) => {
    const who = referent(request);
    const { view, scenario } = await ownScenario(request, request.params.id);
    const outcome = await settings.deleteScenario(who.organisationId, scenario.id, versionOf(request.body), who.actor);
    if (!outcome.ok) return refused(request, reply, outcome, { action: '', title: '', values: newScenarioInput(view), version: 0 });
    return reply.redirect(`${BASE}?saved=1`, 303);
  });
}
