import type { FastifyInstance } from 'fastify';
import type { ErrorLogService } from '../../modules/merchants/index.ts';
import { strings } from '../../views/merchant/strings.ts';
import { adminNav } from '../../views/nav.ts';
import { ErrorLogQuery, errorLogBody, sendErrorLogCsv } from '../shared/error-log-search.ts';
import { surfacePages } from '../shared/page.ts';
import { requireAdmin } from '../shared/session.ts';
import { typed } from '../shared/schemas.ts';

// The back office's error log (issue 14): every merchant's rows and those naming an unknown
// PSPID, with the portal's search, pages and CSV (src/http/shared/error-log-search.ts).

export interface AdminErrorLogRoutesOptions {
  errorLog: ErrorLogService;
}

export function registerAdminErrorLogRoutes(app: FastifyInstance, options: AdminErrorLogRoutesOptions): void {
  const send = surfacePages('admin', adminNav);
  const routes = typed(app);
  routes.get('/errors', { schema: { querystring: ErrorLogQuery } }, async (request, reply) => {
    requireAdmin(request);
    const body = await errorLogBody(request, options.errorLog, { scope: 'all', base: '/admin/errors' });
    return send(request, reply, strings(request.locale).errorLogs, body);
  });
  routes.get('/errors.csv', { schema: { querystring: ErrorLogQuery } }, async (request, reply) => {
    requireAdmin(request);
    return sendErrorLogCsv(request, reply, options.errorLog, 'all');
  });
}
