import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { IdentityTokens } from './identity-tokens.js';

/** The path prefix under which the fake fronts object stores: `/object-store/<n>/v1/AUTH_x/...`. */
export const FRONT_PREFIX = '/object-store/';

// Swift's own answer to a token it does not accept (tempauth's 401).
const UNAUTHORIZED_BODY = '<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>';

/**
 * The object-store endpoint the fake's catalog hands out: a pass-through to the real Swift
 * that accepts only the fake's tokens while they are valid. An expired or unknown token
 * answers 401 as Swift does ("If the Unauthorized (401) error occurs, request another
 * token", OpenStack API quick start), a valid one is swapped for the tempauth token it
 * stands for and the request (body streamed) goes on to Swift.
 */
export class ObjectStoreFront {
  private readonly origins: string[] = [];
  private readonly agent = new Agent({ keepAlive: true });
  /** Requests refused because their token had expired (or was never issued). */
  refused = 0;

  constructor(private readonly tokens: IdentityTokens) {}

  /** The fronted URL for a real storage URL, below the fake's `base` URL. */
  urlFor(base: string, storageUrl: string): string {
    const real = new URL(storageUrl);
    let index = this.origins.indexOf(real.origin);
    if (index < 0) index = this.origins.push(real.origin) - 1;
    return `${base}${FRONT_PREFIX}${index}${real.pathname}`;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const rest = (req.url ?? '').slice(FRONT_PREFIX.length);
    const slash = rest.indexOf('/');
    const origin = this.origins[Number(rest.slice(0, slash))];
    const token = req.headers['x-auth-token'];
    const swiftToken = typeof token === 'string' ? this.tokens.validate(token) : undefined;
    if (!origin || slash < 0 || !swiftToken) {
      if (origin) this.refused++;
      req.resume();
      res.writeHead(401, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(UNAUTHORIZED_BODY)), 'Www-Authenticate': 'Swift realm="unknown"' });
      res.end(req.method === 'HEAD' ? undefined : UNAUTHORIZED_BODY);
      return;
    }
    const target = new URL(origin);
    const headers = { ...req.headers, host: target.host, 'x-auth-token': swiftToken };
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: rest.slice(slash), headers, agent: this.agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.pipe(res);
      up.on('error', (error) => res.destroy(error));
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`identity fake: object store unreachable: ${error.message}`);
      } else res.destroy(error);
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  }

  close(): void {
    this.agent.destroy();
  }
}
