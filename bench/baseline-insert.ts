import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { newId } from '../src/kernel/ids.ts';

// Baseline of the hosted page entry: the least a server can do with a signed order form —
// parse the urlencoded body and INSERT an `orders` row of the same shape as Varco's into the same
// PostgreSQL, through a pool of Varco's default size, then redirect. No signature check, no
// merchant lookup, no validation, no audit: the ratio shows what Varco's checks cost on top.

export interface InsertBaselineOptions {
  databaseUrl: string;
  merchantId: string;
  poolSize: number;
}

export async function registerInsertBaseline(app: FastifyInstance, options: InsertBaselineOptions): Promise<void> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  pool.on('error', () => undefined);
  app.addHook('onClose', () => pool.end());
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/ncol/test/orderstandard_utf8.asp', async (request, reply) => {
    const form = new URLSearchParams(String(request.body));
    const fields = Object.fromEntries([...form].map(([name, value]) => [name.toUpperCase(), value]));
    const id = newId('ord');
    await pool.query(
      `INSERT INTO orders (id, merchant_id, environment, order_ref, amount, currency, language, operation, request)
       VALUES ($1, $2, 'test', $3, $4, $5, $6, 'SAL', $7)`,
      [id, options.merchantId, fields.ORDERID ?? id, Number(fields.AMOUNT ?? 1), fields.CURRENCY ?? 'EUR', fields.LANGUAGE ?? 'en_US', JSON.stringify(fields)],
    );
    return reply.redirect(`/ncol/test/pay/${id}`, 303);
  });
}
