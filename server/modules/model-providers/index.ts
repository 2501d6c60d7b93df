// Public surface of the model-providers module: the OpenAI-compatible client, the deterministic
// simulation used outside production, and the circuit breaker around either. It depends on
// screening and interviews (the simulation answers their prompts); nothing in those modules
// depends on it: the app, the CLI and the worker hand a provider in.
export { createModelProvider } from './providers.js';
export { createSimulatedProvider, SIMULATED_MODEL } from './simulated.js';
export { withCircuitBreaker } from './breaker.js';
