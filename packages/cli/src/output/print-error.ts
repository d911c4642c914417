/** Exit code for an error that is not the user's doing (a bug, or the environment). */
export const UNEXPECTED_EXIT = 3;

/** The kernel's UserError, recognised without importing the kernel (keeps --help fast). */
function isUserError(error: unknown): error is Error & { exitCode: number } {
  return error instanceof Error && error.name === 'UserError' && typeof (error as { exitCode?: unknown }).exitCode === 'number';
}

/**
 * Print an error as one line. A user's mistake never shows a stack trace; an unexpected
 * error shows one only with NIMBUS_DEBUG=1.
 */
export function printError(error: unknown): number {
  if (isUserError(error)) {
    process.stderr.write(`nimbus: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const debug = Boolean(process.env.NIMBUS_DEBUG);
  process.stderr.write(`nimbus: unexpected error: ${message}${debug ? '' : ' (set NIMBUS_DEBUG=1 for details)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return UNEXPECTED_EXIT;
}
