import type { OutgoingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

/** Whose wire format made-up error answers take. */
export type ErrorDialect = 's3' | 'azure' | 'swift' | 'plain';

const CODES: Record<ErrorDialect, Record<number, string>> = {
  s3: { 500: 'InternalError', 502: 'InternalError', 503: 'SlowDown', 429: 'SlowDown' },
  azure: { 500: 'InternalError', 502: 'InternalError', 503: 'ServerBusy', 429: 'ServerBusy' },
  swift: {},
  plain: {},
};

const REASONS: Record<number, string> = { 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/** Headers and body of an error answer as the service behind would send it. */
export function errorAnswer(dialect: ErrorDialect, status: number, resource: string): { headers: OutgoingHttpHeaders; body: Buffer } {
  const code = CODES[dialect][status];
  const message = `${REASONS[status] ?? 'Error'} (injected by the fault-injection proxy)`;
  if (dialect === 's3') {
    const body = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${escapeXml(resource)}</Resource><RequestId>${randomUUID()}</RequestId></Error>`,
    );
    return { headers: { 'content-type': 'application/xml', 'content-length': body.length, 'x-amz-request-id': randomUUID() }, body };
  }
  if (dialect === 'azure') {
    const body = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    return {
      headers: { 'content-type': 'application/xml', 'content-length': body.length, 'x-ms-error-code': code, 'x-ms-request-id': randomUUID(), 'x-ms-version': '2021-12-02' },
      body,
    };
  }
  const body = Buffer.from(`<html><h1>${REASONS[status] ?? 'Error'}</h1><p>${message}</p></html>`);
  return { headers: { 'content-type': 'text/html; charset=UTF-8', 'content-length': body.length }, body };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
