// The reference an erasure request carries (API body `reference`, CLI `--reason`): a ticket
// or case id, never free text that could hold personal data (no e-mail addresses).
export const REFERENCE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9 ._:/#-]{0,119}$';
