import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { sharedKeyAuthorization } from './shared-key.js';

export interface AccountAccess {
  /** Path-style endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1 */
  readonly blobEndpoint: string;
  readonly accountName: string;
  readonly accountKey: string;
}

const API_VERSION = '2021-12-02';

/** Path segment for a container and blob name, encoded the way the Azure SDKs encode them. */
export function blobUrlPath(container: string, blob: string): string {
  return `/${encodeURIComponent(container)}/${blob.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The proxy's own signed requests to Azurite, behind the client's back: read a blob's real
 * tier and set it (Azurite applies tier changes at once, which is what the proxy delays).
 */
export class AzuriteAdmin {
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly access: AccountAccess) {}

  private send(method: string, container: string, blob: string, query: string, extra: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const url = new URL(`${this.access.blobEndpoint}${blobUrlPath(container, blob)}${query}`);
    const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': API_VERSION, 'content-length': '0', ...extra };
    headers['authorization'] = sharedKeyAuthorization(method, url, headers, this.access.accountName, this.access.accountKey);
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The blob's access tier as Azurite holds it, or undefined when the blob does not exist. */
  async tierOf(container: string, blob: string): Promise<string | undefined> {
    return (await this.stateOf(container, blob))?.tier;
  }

  /** The blob's tier and ETag as Azurite holds them, or undefined when the blob does not exist. */
  async stateOf(container: string, blob: string): Promise<{ tier: string; etag: string } | undefined> {
    const res = await this.send('HEAD', container, blob, '');
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`azure archive proxy: HEAD ${container}/${blob} answered ${res.status}`);
    return { tier: String(res.headers['x-ms-access-tier'] ?? 'Hot'), etag: String(res.headers['etag'] ?? '') };
  }

  async delete(container: string, blob: string): Promise<void> {
    const res = await this.send('DELETE', container, blob, '');
    if (res.status !== 202 && res.status !== 404) throw new Error(`azure archive proxy: DELETE ${container}/${blob} answered ${res.status}`);
  }

  async setTier(container: string, blob: string, tier: string): Promise<void> {
    const res = await this.send('PUT', container, blob, '?comp=tier', { 'x-ms-access-tier': tier });
    if (res.status !== 200 && res.status !== 202) {
      throw new Error(`azure archive proxy: setting ${container}/${blob} to ${tier} answered ${res.status} ${res.headers['x-ms-error-code'] ?? ''}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
