/** What one request may ask of the server; each is a `gated serve` flag. */
export interface Limits {
  /** Largest request body, in bytes (413 above). */
  readonly maxBodyBytes: number;
  /** Most texts (or id sequences) in one request (413 above). */
  readonly maxTexts: number;
  /** Most characters in one text, and most ids in one id sequence (413 above). */
  readonly maxChars: number;
  /** How long a request may take, from its first byte to its prediction (503 after). */
  readonly timeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 1024 * 1024,
  maxTexts: 64,
  maxChars: 20_000,
  timeoutMs: 10_000,
};
