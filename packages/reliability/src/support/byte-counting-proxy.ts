import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ByteCountingProxy {
  /** Base URL clients use instead of the server's (with the target's path, e.g. Azurite's account). */
  readonly endpoint: string;
  /** Request body bytes forwarded to the server so far. */
  readonly bytesSent: number;
  /** Requests whose answer was a 2xx, by a caller's test (e.g. "an S3 UploadPart"). */
  answered(match: (method: string, url: string) => boolean): number;
  /** Start counting from zero (e.g. for a rerun). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A plain forwarding proxy on 127.0.0.1 that counts the request body bytes it forwards:
 * what a client really sent to the server, measured outside the client. The client's Host
 * header is kept, so S3 signatures stay valid.
 */
export async function startByteCountingProxy(target: string): Promise<ByteCountingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let bytesSent = 0;
  const done: { method: string; url: string }[] = [];
  const server = createServer((incoming, outgoing) => {
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', () => {
          if ((answer.statusCode ?? 0) < 300) done.push({ method: incoming.method ?? '', url: incoming.url ?? '' });
        });
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.on('data', (chunk: Buffer) => (bytesSent += chunk.length));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    get bytesSent() {
      return bytesSent;
    },
    answered: (match) => done.filter((r) => match(r.method, r.url)).length,
    reset() {
      bytesSent = 0;
      done.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
