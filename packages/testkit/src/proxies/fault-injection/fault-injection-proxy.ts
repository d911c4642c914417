import { Agent, createServer, request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorAnswer, type ErrorDialect } from './error-bodies.js';
import { FAULT_KINDS, FaultPlan, type FaultKind, type FaultRates, type RequestFacts } from './fault-plan.js';

export interface FaultInjectionProxyOptions {
  /** The real server to forward to, e.g. ensureSwiftServer().s3Endpoint or an Azurite blob endpoint. Loopback only. */
  readonly target: string;
  /** Seed of the fault decisions (same seed, same requests: same faults). */
  readonly seed: string | number;
  /** Probability of each fault per request; default none (a plain forwarding proxy). */
  readonly rates?: FaultRates;
  /** Wire format of made-up 5xx/429 answers; default plain HTML (what Swift's native API sends). */
  readonly dialect?: ErrorDialect;
  /** Retry-After of 429 answers, in seconds; default 1. */
  readonly retryAfterSeconds?: number;
  /** How long a `delay` fault holds a request; default 300 ms. */
  readonly delayMs?: number;
  /**
   * Host header sent to the server: the client's own (default; S3 SigV4 signs Host, and Swift
   * builds storage URLs from it, so both keep working through the proxy) or the target's.
   */
  readonly hostHeader?: 'client' | 'target';
}

/** One fault the proxy injected. */
export interface InjectedFaultRecord {
  readonly kind: FaultKind;
  readonly method: string;
  readonly path: string;
  /** Injected by an `alwaysFail` rule rather than drawn at the seeded rate. */
  readonly byRule: boolean;
  /** When the proxy injected it (Date.now() ms; for a 429, when the answer was sent). */
  readonly at: number;
}

/** One request as it reached the proxy. */
export interface SeenRequest extends RequestFacts {
  /** Arrival time (Date.now() ms), to check how a client spaces its requests (e.g. after a 429). */
  readonly at: number;
}

/** A standing rule: every matching request gets this fault. */
export interface AlwaysFailRule {
  /** Requests it has failed so far. */
  readonly hits: number;
  remove(): void;
}

export interface FaultInjectionProxy {
  /** Base URL clients use instead of the server's, e.g. http://127.0.0.1:41234 (the target's path is appended). */
  readonly endpoint: string;
  readonly port: number;
  /** Faults injected so far, by kind (seeded and by rule). */
  readonly counts: Readonly<Record<FaultKind, number>>;
  /** Requests seen, and requests forwarded whole to the server. */
  readonly totals: { readonly requests: number; readonly forwarded: number };
  /** Every fault injected, in order. */
  readonly injected: readonly InjectedFaultRecord[];
  /** Every request seen (method, decoded path, url, arrival time), in arrival order. */
  readonly seen: readonly SeenRequest[];
  /** Change the rates (e.g. `{}` to stop injecting) without restarting. */
  setRates(rates: FaultRates): void;
  /** Fail every request matching `match` with `kind` (default error-500), until removed or `times` requests were failed. */
  alwaysFail(match: (request: RequestFacts) => boolean, kind?: FaultKind, times?: number): AlwaysFailRule;
  /** Zero the counters and the record of injected faults. */
  resetCounts(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a real storage server that, at seeded rates,
 * answers 500/503, 429 with Retry-After, resets connections in the middle of a request or
 * response body, truncates responses, or delays them, and counts what it did. Everything
 * else is forwarded byte for byte and streaming, with the client's Host header, so
 * signatures stay valid (see the S3 Glacier and Azure archive proxies).
 */
export async function startFaultInjectionProxy(options: FaultInjectionProxyOptions): Promise<FaultInjectionProxy> {
  const target = new URL(options.target);
  const plan = new FaultPlan(options.seed, options.rates ?? {});
  const dialect = options.dialect ?? 'plain';
  const delayMs = options.delayMs ?? 300;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const totals = { requests: 0, forwarded: 0 };
  const injected: InjectedFaultRecord[] = [];
  const seen: SeenRequest[] = [];
  const rules = new Set<{ match: (r: RequestFacts) => boolean; kind: FaultKind; hits: number; times: number }>();

  const record = (kind: FaultKind, facts: RequestFacts, byRule: boolean) => {
    counts[kind]++;
    injected.push({ kind, method: facts.method, path: facts.path, byRule, at: Date.now() });
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    totals.requests++;
    const facts = factsOf(req);
    seen.push({ ...facts, at: Date.now() });
    const rule = [...rules].find((r) => r.hits < r.times && r.match(facts));
    if (rule) rule.hits++;
    const kind = rule ? rule.kind : plan.decide(facts);
    const byRule = rule !== undefined;
    switch (kind) {
      case 'error-500':
      case 'error-503':
      case 'throttle-429': {
        record(kind, facts, byRule);
        const status = kind === 'error-500' ? 500 : kind === 'error-503' ? 503 : 429;
        const answer = errorAnswer(dialect, status, facts.path);
        if (status === 429) answer.headers['retry-after'] = String(retryAfter);
        req.resume();
        res.writeHead(status, answer.headers);
        res.end(req.method === 'HEAD' ? undefined : answer.body);
        return;
      }
      case 'reset-request': {
        record(kind, facts, byRule);
        const length = Number(req.headers['content-length'] ?? (req.headers['transfer-encoding'] ? 64 * 1024 : 0));
        if (!(length > 0)) return resetSocket(req.socket);
        forward(req, res, { cutRequestAt: Math.floor(plan.fraction(facts, 'request-cut') * length) });
        return;
      }
      case 'reset-response':
      case 'truncate-response':
        forward(req, res, { cutResponse: kind, facts, byRule });
        return;
      case 'delay':
        record(kind, facts, byRule);
        setTimeout(() => forward(req, res, {}), delayMs);
        return;
      default:
        forward(req, res, {});
    }
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    how: { cutRequestAt?: number; cutResponse?: 'reset-response' | 'truncate-response'; facts?: RequestFacts; byRule?: boolean },
  ): void {
    const headers = options.hostHeader === 'target' ? { ...req.headers, host: target.host } : req.headers;
    const upstream: ClientRequest = request(
      { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers, agent },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const cut = how.cutResponse;
        if (!cut) {
          totals.forwarded++;
          res.writeHead(status, answer.statusMessage, answer.headers);
          answer.pipe(res);
          return;
        }
        const declared = Number(answer.headers['content-length'] ?? (answer.headers['transfer-encoding'] ? 64 * 1024 : 0));
        const hasBody = req.method !== 'HEAD' && status !== 204 && status !== 304 && declared > 0;
        if (!hasBody) {
          if (cut === 'truncate-response') {
            // Nothing to truncate: forward as is, and do not count it as a fault.
            totals.forwarded++;
            res.writeHead(status, answer.statusMessage, answer.headers);
            answer.pipe(res);
            return;
          }
          // The server did the work; the client never hears of it.
          record(cut, how.facts!, how.byRule ?? false);
          answer.resume();
          resetSocket(req.socket);
          return;
        }
        record(cut, how.facts!, how.byRule ?? false);
        const cutAt = Math.max(1, Math.floor(plan.fraction(how.facts!, 'response-cut') * declared));
        res.writeHead(status, answer.statusMessage, answer.headers);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= cutAt) return;
          const piece = chunk.subarray(0, cutAt - sent);
          sent += piece.length;
          res.write(piece);
          if (sent >= cutAt) {
            answer.destroy();
            const socket = req.socket;
            if (cut === 'reset-response') setImmediate(() => resetSocket(socket));
            else socket.end(); // a clean close, short of the declared length
          }
        });
        answer.on('end', () => {
          // The body was shorter than the cut point (chunked answers): end short of it anyway.
          if (sent < cutAt) cut === 'reset-response' ? resetSocket(req.socket) : req.socket.end();
        });
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent && !res.destroyed) {
        const answer = errorAnswer(dialect, 502, req.url ?? '/');
        res.writeHead(502, { ...answer.headers, 'x-fault-proxy-error': error.message.slice(0, 100) });
        res.end(answer.body);
      } else res.destroy();
    });
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (how.cutRequestAt === undefined) {
      req.pipe(upstream);
      return;
    }
    // Forward part of the body, then drop both connections as a network reset would.
    const cutAt = how.cutRequestAt;
    let sent = 0;
    const stop = () => {
      req.unpipe();
      upstream.destroy();
      resetSocket(req.socket);
    };
    if (cutAt === 0) return stop();
    req.on('data', (chunk: Buffer) => {
      if (sent >= cutAt) return;
      const piece = chunk.subarray(0, cutAt - sent);
      sent += piece.length;
      upstream.write(piece);
      if (sent >= cutAt) stop();
    });
    req.on('end', () => {
      if (sent < cutAt) stop();
    });
  }

  const server = createServer(handle);
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    port,
    counts,
    totals,
    get injected() {
      return injected;
    },
    get seen() {
      return seen;
    },
    setRates: (rates) => plan.setRates(rates),
    alwaysFail(match, kind = 'error-500', times = Infinity) {
      const entry = { match, kind, hits: 0, times };
      rules.add(entry);
      return {
        get hits() {
          return entry.hits;
        },
        remove: () => void rules.delete(entry),
      };
    },
    resetCounts() {
      for (const k of FAULT_KINDS) counts[k] = 0;
      totals.requests = 0;
      totals.forwarded = 0;
      injected.length = 0;
      seen.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function factsOf(req: IncomingMessage): RequestFacts {
  const url = req.url ?? '/';
  const rawPath = url.split('?')[0] ?? '/';
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // Not valid percent-encoding: match on the raw path.
  }
  return { method: req.method ?? 'GET', path, url };
}

/** Drop a connection with a TCP RST (the client sees ECONNRESET), not a clean close. */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
