import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/** Keep-alive agents with room for parallel transfers and parallel segments. */
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
};

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A buffer, or a stream (sent chunked unless Content-Length is given). */
  readonly body?: Buffer | string | Readable;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body stream; callers consume or drain it. */
  readonly body: http.IncomingMessage;
}

/** One HTTP request over Node's http/https with keep-alive; resolves when the response head arrives. */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  const lib = url.protocol === 'https:' ? https : http;
  const agent = AGENTS[url.protocol as 'http:' | 'https:'];
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: request.method, headers: request.headers, agent, signal: request.signal }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    req.on('error', reject);
    const body = request.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

export async function readBody(response: HttpResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Discards a response body so the socket goes back to the pool. */
export async function drain(response: HttpResponse): Promise<void> {
  response.body.resume();
  await new Promise<void>((resolve) => {
    if (response.body.readableEnded) resolve();
    else {
      response.body.once('end', resolve);
      response.body.once('error', () => resolve());
      response.body.once('close', () => resolve());
    }
  });
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
