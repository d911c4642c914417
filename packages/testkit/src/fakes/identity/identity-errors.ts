import type { ServerResponse } from 'node:http';

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Keystone's error body: `{"error": {"code", "title", "message"}}` (keystone/exception.py, rendered by its WSGI layer). */
export function sendIdentityError(res: ServerResponse, code: 400 | 401 | 404 | 500, title: string, message: string): void {
  sendJson(res, code, { error: { code, title, message } });
}

/**
 * Keystone's ValidationError, raised for a malformed body or a missing field: "Expecting to
 * find %(attribute)s in %(target)s. The server could not comply with the request since it is
 * either malformed or otherwise incorrect. The client is assumed to be in error." (code 400,
 * title "Bad Request"; the Identity v2.0 API lists badRequest (400) among the error responses
 * of POST /v2.0/tokens).
 */
export function sendValidationError(res: ServerResponse, attribute: string, target: string): void {
  sendIdentityError(
    res,
    400,
    'Bad Request',
    `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );
}

export function sendUnauthorized(res: ServerResponse, message = 'The request you have made requires authentication.'): void {
  sendIdentityError(res, 401, 'Unauthorized', message);
}
