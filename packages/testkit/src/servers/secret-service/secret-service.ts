import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir } from '../../fixtures/temp-dir.js';

const PROGRAMS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'] as const;

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, program)));
}

/** True when GNOME Keyring and D-Bus are installed (Debian: gnome-keyring dbus-daemon dbus-bin). */
export function secretServiceAvailable(): boolean {
  return process.platform === 'linux' && PROGRAMS.every(onPath);
}

export interface SecretService {
  /** Give these to a process (or set them) so the keychain binding reaches this Secret Service. */
  readonly env: { readonly DBUS_SESSION_BUS_ADDRESS: string };
  close(): Promise<void>;
}

function nameOwned(address: string): boolean {
  const r = spawnSync('dbus-send', ['--bus=' + address, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { encoding: 'utf8' });
  return r.status === 0 && /boolean true/.test(r.stdout);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A real Secret Service for tests: a private D-Bus session bus and a GNOME Keyring daemon on it,
 * its login keyring unlocked with a throw-away password, all state in a temporary folder.
 * Nothing is shared with the user's own session.
 */
export async function startSecretService(): Promise<SecretService> {
  if (!secretServiceAvailable()) throw new Error('GNOME Keyring and D-Bus are not installed (Debian: gnome-keyring dbus-daemon dbus-bin)');
  const dir = await makeTempDir('nimbus-secret-service-');
  const runtime = join(dir.path, 'run');
  await mkdir(runtime, { mode: 0o700 });
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    bus.once('error', reject);
    bus.stdout!.once('data', (data) => resolve(String(data).trim().split('\n')[0]!));
  });
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: join(dir.path, 'data'), XDG_RUNTIME_DIR: runtime, HOME: dir.path };
  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
  keyring.stdin!.end('nimbus-test-keyring');
  const close = async () => {
    await stop(keyring);
    await stop(bus);
    await dir.cleanup();
  };
  // Clients must not call before the daemon owns its name: the bus would start a second, locked one.
  for (let i = 0; i < 100 && !nameOwned(address); i++) await sleep(50);
  if (!nameOwned(address)) {
    await close();
    throw new Error('GNOME Keyring did not register on the private D-Bus session');
  }
  return { env: { DBUS_SESSION_BUS_ADDRESS: address }, close };
}
