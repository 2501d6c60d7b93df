// Email addresses compare and index in one normal form (accounts, invites, SSO, operators).
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
