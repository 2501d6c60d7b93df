import argon2 from 'argon2';

// OWASP minimum for argon2id: m=19 MiB, t=2, p=1. Parameters are stored in the hash.
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export function passwordLengthProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Passwords need at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Passwords may have at most ${PASSWORD_MAX} characters.`;
  return null;
}
