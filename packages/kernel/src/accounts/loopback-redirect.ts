import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors/nimbus-error.js';

/** The redirect target of a browser sign-in: a one-shot HTTP listener on 127.0.0.1 (RFC 8252 §7.3). */
export interface LoopbackRedirect {
  readonly redirectUri: string;
  /** Resolves with the full callback URL once the browser comes back with this `state`. */
  waitForCallback(timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

const PAGE = (text: string) => `<!doctype html><meta charset="utf-8"><title>Nimbus</title><p>${text}</p>\n`;

/**
 * Listen on 127.0.0.1 (any free port unless `port` is given; a loopback IP rather than
 * "localhost", as RFC 8252 §8.3 recommends). Requests without the expected `state`
 * (a favicon, a stray tab) are answered 404 and ignored.
 */
export async function startLoopbackRedirect(state: string, port = 0): Promise<LoopbackRedirect> {
  let deliver: (url: URL) => void = () => {};
  const arrived = new Promise<URL>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1`);
    if (url.pathname !== '/callback' || url.searchParams.get('state') !== state) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const denied = url.searchParams.has('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    res.end(PAGE(denied ? 'Access was not granted. You can close this tab.' : 'Nimbus is signed in. You can close this tab and go back to the terminal.'));
    deliver(new URL(`${redirectUri}?${url.searchParams.toString()}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new UserError(`cannot listen on 127.0.0.1:${port} for the sign-in redirect (${(error as Error).message}): free the port or choose another`)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    waitForCallback: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UserError(`nobody completed the sign-in in the browser within ${Math.round(timeoutMs / 1000)} s: nothing was linked; run the command again`)), timeoutMs);
      });
      try {
        return await Promise.race([arrived, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
