// Public surface of the ai module (the model provider contract, the pause/budget gate, run records and finishing an AI
// result, shared by screening and interview scoring): the only file other modules, the app, the CLI and the
// worker import from it.
export { completeTogether, PROVIDER_STORE, ProviderError, type ModelProvider, type StructuredRequest, type StructuredResponse, type TokenUsage } from './model.js';
export { aiHoldReason } from './gate.js';
export { finishAiResult, finishAiResultRow, runTotals, type AiResultFinish, type AiResultRow } from './result.js';
export { insertAiRun, type AiRunInsert, type AiRunPurpose, type RunRecord } from './repo.js';
export { type AiSettingsRow } from './repo.js';
export { DEFAULT_AI_SETTINGS } from './repo.js';
export { addUsage } from './repo.js';
export { getAiSettings } from './repo.js';
export { monthStart } from './repo.js';
export { tokensUsed } from './repo.js';
export { upsertAiSettings } from './repo.js';
