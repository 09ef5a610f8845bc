/**
 * Error messages as they cross a boundary (a reply, a log line, a status field): one line, never a stack trace.
 * Used on both sides of the contract, so it imports nothing.
 */

/** The message of anything thrown: an Error's message, else the value as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first line of a message, trimmed: what a person sees in a toast, a status line or a CLI error. */
export function firstLine(message: string): string {
  const line = message.split('\n')[0]?.trim() ?? '';
  return line === '' ? message.trim() : line;
}

/** errorMessage(error), cut to its first line. */
export function oneLineError(error: unknown): string {
  return firstLine(errorMessage(error));
}

/** Anything thrown, as an Error (so it can carry a stack and be rethrown). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
