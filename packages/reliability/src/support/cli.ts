import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The testkit's network guard, loaded into every CLI child too: only loopback may be reached. */
const GUARD = import.meta.resolve('@nimbus/testkit/network-guard');

/** The built `nimbus` command of this workspace. */
export const NIMBUS_BIN = join(dirname(fileURLToPath(import.meta.resolve('@nimbus/cli/package.json'))), 'dist', 'bin.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** The run was stopped by `timeoutMs` (a hang). */
  readonly timedOut: boolean;
}

export interface CliOptions {
  /** SIGKILL the run after this many ms (a crash). */
  readonly killAfterMs?: number;
  /** SIGKILL the run as soon as this resolves true (asked every 25 ms while it runs). */
  readonly killWhen?: () => Promise<boolean>;
  /** SIGKILL a run that takes longer, and say so (a hang). Default 120 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as another program (e.g. runuser) with the node command line appended. */
  readonly wrapper?: readonly string[];
}

/** Run `nimbus <args>` in a child process, stdin closed (no terminal), collecting its output. */
export function runNimbus(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const command = [...(options.wrapper ?? []), process.execPath, NIMBUS_BIN, ...args];
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NIMBUS_DEBUG: '', FORCE_COLOR: '0', NODE_OPTIONS: `--import ${GUARD}`, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const kill = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    let running = true;
    const poll = async () => {
      while (running && options.killWhen) {
        if (await options.killWhen().catch(() => false)) return void child.kill('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    void poll();
    const guard = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = false;
      clearTimeout(kill);
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** The lines of stderr that report problems: everything but blank lines and `warning:` notices (e.g. plain http). */
export function problemLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('warning: '));
}
