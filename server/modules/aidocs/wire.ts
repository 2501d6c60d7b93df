// Wires the AI system card, subprocessors and record of processing from live config, and the public summary (issue 18 item 10).
import type { Platform } from '../../plugins/platform.js';
import { createBiasService } from '../bias/index.js';
import { aiDocsRoutes } from './routes.js';
import { createAiDocsService } from './service.js';

export async function wireAiDocs(p: Platform): Promise<void> {
  // Its own bias service without alerts: the documents only read the report.
  const bias = createBiasService({ db: p.db, audit: p.audit, keyring: p.keyring, clock: p.clock, log: p.logger });
  await p.app.register(aiDocsRoutes, { docs: createAiDocsService({ db: p.db, config: p.config, clock: p.clock }), biasReport: (ctx) => bias.report(ctx, {}) });
}
