import { createHash } from 'node:crypto';

/** What the proxy can do to a request instead of (or while) forwarding it. */
export const FAULT_KINDS = [
  /** Answer 500 without forwarding. */
  'error-500',
  /** Answer 503 without forwarding. */
  'error-503',
  /** Answer 429 with a Retry-After header, without forwarding. */
  'throttle-429',
  /** Forward part of the request body (none for bodiless requests), then reset both connections. */
  'reset-request',
  /** Forward the whole request; send the answer's headers and part of its body, then reset (before the headers when the body is empty). */
  'reset-response',
  /** Forward the whole request; send the headers (with the full Content-Length) and part of the body, then close cleanly. Only for answers with a body. */
  'truncate-response',
  /** Wait `delayMs` before forwarding. */
  'delay',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Probability of each fault per request (0–1 each; their sum at most 1). */
export type FaultRates = Partial<Record<FaultKind, number>>;

/** The request facts a decision and a rule may look at. */
export interface RequestFacts {
  readonly method: string;
  /** Path without the query, percent-decoded where valid (e.g. /bucket/dir/file.txt). */
  readonly path: string;
  /** Path and query as sent. */
  readonly url: string;
}

/**
 * Decides, deterministically from a seed, which fault (if any) a request gets. The draw for
 * a request depends on the seed, its method and path, and how many times that method+path
 * was seen before, never on arrival order: the same run against the same server gets the
 * same faults however its parallel requests interleave, and a retried request draws again.
 */
export class FaultPlan {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly seed: string | number,
    private rates: FaultRates,
  ) {
    checkRates(rates);
  }

  setRates(rates: FaultRates): void {
    checkRates(rates);
    this.rates = rates;
  }

  /** The fault for this request, or undefined to forward it untouched. */
  decide(request: RequestFacts): FaultKind | undefined {
    const key = `${request.method} ${request.path}`;
    const nth = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, nth);
    let draw = unitDraw(`${this.seed}\u0000${key}\u0000${nth}`);
    for (const kind of FAULT_KINDS) {
      const rate = this.rates[kind] ?? 0;
      if (draw < rate) return kind;
      draw -= rate;
    }
    return undefined;
  }

  /** A deterministic fraction 0–1 for a request (where in a body to cut, say). */
  fraction(request: RequestFacts, salt: string): number {
    return unitDraw(`${this.seed}\u0000${salt}\u0000${request.method} ${request.url}`);
  }
}

/** A number in [0, 1) from a string, via SHA-256 (stable across runs and platforms). */
function unitDraw(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

function checkRates(rates: FaultRates): void {
  let sum = 0;
  for (const [kind, rate] of Object.entries(rates)) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new RangeError(`unknown fault kind ${kind}`);
    if (typeof rate !== 'number' || rate < 0 || rate > 1) throw new RangeError(`rate of ${kind} must be between 0 and 1, got ${rate}`);
    sum += rate;
  }
  if (sum > 1 + 1e-9) throw new RangeError(`fault rates add up to ${sum}, more than 1`);
}
