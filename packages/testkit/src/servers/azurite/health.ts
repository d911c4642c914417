import { request } from 'node:http';

/** What answers on a port: Azurite's blob service, something else, or nothing. */
export type PortOccupant = 'azurite' | 'other' | 'nothing' | 'busy';

/**
 * Ask the port who it is. Any request reaches Azurite (an unsigned one is refused with
 * 403), and every answer carries `Server: Azurite-Blob/<version>`.
 */
export function probeAzurite(host: string, port: number, timeoutMs = 3000): Promise<PortOccupant> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/devstoreaccount1?comp=list', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(String(res.headers.server ?? '').startsWith('Azurite-Blob') ? 'azurite' : 'other');
    });
    // A slow answer on a loaded machine is not a stranger on the port: ask again later.
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'nothing' : error.code === 'ETIMEDOUT' || error.code === 'ECONNRESET' ? 'busy' : 'other'),
    );
    req.end();
  });
}
