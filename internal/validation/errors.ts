/** One field of an input broke one rule; `field` names it, for a 4xx or a dead-letter reason. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  readonly code = 'INVALID_FIELD';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}
