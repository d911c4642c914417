// The two programs the bench needs besides Node come from Debian: rclone (v1.60 here), the
// baseline, and GNU time, which measures the children. When one is missing the bench
// installs it (as root only). Neither is part of the CI install: benchmarks are not tests.
import { execFileSync } from 'node:child_process';

function versionOf(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

function aptInstall(pkg, log) {
  if (process.getuid?.() !== 0) throw new Error(`${pkg} is not installed: run \`sudo apt-get install -y ${pkg}\` and start the bench again`);
  log(`${pkg} is missing: apt-get install -y ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'inherit', env });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    install();
  }
}

function ensure(pkg, command, args, log) {
  const found = versionOf(command, args);
  if (found) return found;
  aptInstall(pkg, log);
  const installed = versionOf(command, args);
  if (!installed) throw new Error(`${command} still not runnable after apt-get install ${pkg}`);
  return installed;
}

/** Installs what is missing; returns the rclone version line. */
export function ensureDebianTools(log) {
  ensure('time', '/usr/bin/time', ['--version'], log);
  return ensure('rclone', 'rclone', ['version'], log);
}
