import type { Logger } from '@nimbus/kernel';

/** Diagnostics go to stderr so stdout stays clean for the report (and --json). */
export function consoleLogger(options: { quiet: boolean; verbose: boolean; beforeWrite?: () => void }): Logger {
  const write = (prefix: string, message: string) => {
    options.beforeWrite?.();
    process.stderr.write(`${prefix}${message}\n`);
  };
  return {
    debug: (m) => (options.verbose ? write('debug: ', m) : undefined),
    info: (m) => (options.quiet ? undefined : write('', m)),
    warn: (m) => write('warning: ', m),
    error: (m) => write('error: ', m),
  };
}
