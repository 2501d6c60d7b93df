// Request latency by route for Prometheus (issue 19 item 7). The route label is the
// pattern Fastify matched (/api/v1/applications/:id), never the raw URL, so ids and other
// request data never become labels; URLs no route matches share route="unmatched" and
// methods outside the standard set share method="OTHER", so label cardinality is bounded
// by the route table. The histogram counts by status class; the counter by exact status.
import fp from 'fastify-plugin';
import type { Metrics } from '../core/metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const metricsPlugin = fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      const code = reply.statusCode;
      const status = code >= 100 && code <= 599 ? code : 0;
      metrics.http.duration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, reply.elapsedTime / 1000);
      metrics.http.requests.inc({ method, route, status_code: String(status) });
    });
  },
  { name: 'hirebox-metrics' },
);
