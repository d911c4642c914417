import type { Logger, ProgressListener } from '@nimbus/kernel';
import { consoleLogger } from './console-logger.js';
import { ProgressBar } from './progress-bar.js';

export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  dataDir?: string;
}

/** How a run-like command talks to the terminal: logger, optional progress bar, environment. */
export interface RunOutput {
  readonly logger: Logger;
  readonly onProgress?: ProgressListener;
  readonly env: NodeJS.ProcessEnv;
  /** Clear the progress bar (before the summary is printed). */
  stop(): void;
  /** Print the report: JSON with --json, the human summary unless --quiet. */
  print<R>(report: R, format: (r: R) => string): void;
}

export function runOutput(flags: OutputFlags): RunOutput {
  const quiet = Boolean(flags.quiet || flags.json);
  const bar = !quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  return {
    logger: consoleLogger({ quiet, verbose: Boolean(process.env.NIMBUS_DEBUG), beforeWrite: () => bar?.stop() }),
    ...(bar ? { onProgress: bar.listener } : {}),
    env: flags.dataDir ? { ...process.env, NIMBUS_DATA_DIR: flags.dataDir } : process.env,
    stop: () => bar?.stop(),
    print: (report, format) => {
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (!flags.quiet) process.stdout.write(`${format(report)}\n`);
    },
  };
}
