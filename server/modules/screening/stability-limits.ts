// The limits of `hirebox screening stability`, apart from the check itself so the CLI can
// validate its arguments without loading the model provider (the CLI answers a usage
// error in ~0.1 s instead of ~0.8 s).
export const STABILITY_MAX_RUNS = 20;
export const STABILITY_MAX_SAMPLE = 50;
