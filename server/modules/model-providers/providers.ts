// Picks the model provider from config: the OpenAI SDK (OPENAI_BASE_URL, OPENAI_API_KEY,
// OPENAI_MODEL) or the deterministic simulation (AI_PROVIDER=simulated, which config
// already refuses in production).
import type { Config } from '../../core/config.js';
import type { ModelProvider } from '../ai/index.js';
import { createOpenAiProvider } from './openai.js';
import { createSimulatedProvider } from './simulated.js';

export function createModelProvider(config: Pick<Config, 'aiProvider' | 'openai'>): ModelProvider {
  if (config.aiProvider === 'openai') {
    const apiKey = config.openai.apiKey?.reveal();
    if (!apiKey) throw new Error('AI_PROVIDER=openai needs OPENAI_API_KEY');
    return createOpenAiProvider({ apiKey, baseUrl: config.openai.baseUrl, timeoutMs: 60_000, maxRetries: 3 });
  }
  return createSimulatedProvider();
}
