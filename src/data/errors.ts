/**
 * A problem with the user's data (path, archive, cache, options) that the user can fix.
 * Its message is one self-contained line naming the path and the problem, so the CLI prints
 * `error: <message>` without a stack trace.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
}
