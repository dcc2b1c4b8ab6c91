// The answer bench/baseline-server.ts (and bench/layers-server.ts without the /api context) gives to
// GET /api/v1/ping: the shape of Varco's, fixed values, the server time of the moment.
export function baselinePingAnswer(): Record<string, unknown> {
  return {
    subscription: { id: 'sub_0000000000000000000000000', name: 'Baseline' },
    organisation: { id: 'org_0000000000000000000000000', name: 'Baseline' },
    product: { id: 'prd_0000000000000000000000000', code: 'bench', name: 'Benchmark' },
    environment: 'test',
    tlsProtocol: 'TLSv1.3',
    serverTime: new Date().toISOString(),
  };
}
