// Runs one child process under GNU time, which reports the child's own CPU time and peak
// resident set size (getrusage of the waited child): the figures are the tool's, not ours.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const DEFAULT_TIMEOUT_MS = 3 * 60 * 60 * 1000;

/**
 * @returns {Promise<{wallS:number,userS:number,sysS:number,cpuS:number,rssMiB:number,exitCode:number,stdout:string,stderr:string}>}
 */
export async function measure(command, args, { env = process.env, cwd, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-time-'));
  const timeFile = join(dir, 'time.txt');
  try {
    const started = process.hrtime.bigint();
    const { exitCode, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
      child.stderr.setEncoding('utf8').on('data', (s) => (err = (err + s).slice(-20_000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? -1, stdout: out, stderr: err });
      });
    });
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    // GNU time prints "Command exited with non-zero status N" before the figures on failure.
    const lines = (await readFile(timeFile, 'utf8')).trim().split('\n');
    const [userS, sysS, rssKiB] = lines[lines.length - 1].split(' ').map(Number);
    return { wallS, userS, sysS, cpuS: userS + sysS, rssMiB: rssKiB / 1024, exitCode, stdout, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
