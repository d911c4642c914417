import { createHash } from 'node:crypto';
import { connect } from 'node:net';

/** Sends one memcached text-protocol command and resolves with the first reply line. */
export function memcachedCommand(host: string, port: number, command: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`memcached at ${host}:${port} did not answer`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        clearTimeout(timer);
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function memcachedAnswers(host: string, port: number): Promise<boolean> {
  try {
    return (await memcachedCommand(host, port, 'version')).startsWith('VERSION');
  } catch {
    return false;
  }
}

/**
 * Swift's memcache client stores every key as the MD5 hex of the key it was given
 * (swift.common.memcached.md5hash), so that is the key to delete.
 */
export function swiftMemcacheKey(key: string): string {
  return createHash('md5').update(key).digest('hex');
}
