// Public surface of the screening module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createScreeningRunner, type ScreenOutcome, type ScreeningRunner } from './service.js';
export { SEED, blindInput, type BlindInput } from './blind-call.js';
export { isGrounded, normaliseForGrounding, type Confidence, type Evaluation } from './evaluate.js';
export { loadPlaces } from './gazetteer.js';
export { detectInjection, stripInvisible } from './injection.js';
export { CHECK_SCHEMA_NAME } from './injection-check.js';
export { PROVIDER_STORE, ProviderError, type ModelProvider, type StructuredRequest, type StructuredResponse } from './model.js';
export { createScreeningOversight } from './oversight.js';
export { PROMPT_VERSION, readPrompt } from './prompt.js';
export { createScreeningProducer } from './queue.js';
export { redact } from './redact.js';
export { screeningRoutes } from './routes.js';
export { createSampleRuns, type SampleOutcome } from './sample-runs.js';
export { createStabilityCheck, renderStabilityReport } from './stability.js';
export { STABILITY_MAX_RUNS, STABILITY_MAX_SAMPLE } from './stability-limits.js';
export { PROVIDER_BREAKERS } from './status-routes.js';
export { callWithOneRetry, type AiRunnerDeps, type RunRecord } from './structured-call.js';

// Data access other modules need, named one by one (not the whole repository); used by aidocs, interviews, messages, trust.
export { addUsage, getAiSettings, monthStart, screeningsOfApplication, tokensUsed } from './repo.js';
export { wireScreening } from './wire.js';
export { screeningsUnfinished } from './pending-work.js';
