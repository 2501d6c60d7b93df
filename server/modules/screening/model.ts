// The model provider contract moved to the ai module (shared by screening and interview
// scoring); screening's files keep importing it from here.
export { completeTogether, PROVIDER_STORE, ProviderError, type ModelProvider, type StructuredRequest, type StructuredResponse, type TokenUsage } from '../ai/index.js';
