/**
 * Seconds to wait from an HTTP Retry-After header: either delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3); undefined when absent or unreadable. Plugins put it on the
 * ProviderError they raise for a 429/503, and the connection's pacer waits that long.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  // An HTTP-date names its day and month ("Fri, 31 Dec 1999 23:59:59 GMT"); Date.parse alone would read "-5" as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
