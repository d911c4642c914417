import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { printError } from './output/print-error.js';

/** Run the CLI with these arguments; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; real usage errors were already printed.
      return error.exitCode === 0 ? 0 : 2;
    }
    return printError(error);
  }
}
