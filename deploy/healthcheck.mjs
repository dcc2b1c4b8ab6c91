// The container's HEALTHCHECK: /readyz on this instance (the database answers), on the port of the
// instance's own configuration. Loopback only, so the certificate is not checked here: the instance
// may present the operator's certificate for its public name or its development one; what matters is
// the answer. Exit 0 ready, 1 not (a configuration that does not load is not ready either).
import { request } from 'node:https';
import { loadConfig } from '../src/config/index.ts';

let port;
try {
  port = loadConfig().port;
} catch {
  process.exit(1);
}
const probe = request({ host: '127.0.0.1', port, path: '/readyz', method: 'GET', rejectUnauthorized: false, timeout: 4000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
probe.on('timeout', () => probe.destroy(new Error('timeout')));
probe.on('error', () => process.exit(1));
probe.end();
