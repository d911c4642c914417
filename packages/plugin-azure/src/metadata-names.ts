/**
 * Azure metadata names must be C# identifiers and are case-insensitive (they travel as
 * `x-ms-meta-<name>` HTTP headers, which Node lower-cases), and values must be ASCII
 * header values. Kernel keys such as `nimbus-mtime` are neither, so they are mapped, and
 * mapped back when read, such that any key and value round-trips exactly:
 *
 * - A key of lower-case words joined by single dashes (`nimbus-mtime`, `colour`) becomes
 *   the same words joined by underscores (`nimbus_mtime`): readable in the portal.
 * - Any other key becomes `_` + the hex of its UTF-8 bytes (`Colour` → `_436f6c6f7572`).
 *   Mapped simple keys never start with `_` nor contain `__`, so the two never collide.
 * - A value that is non-empty printable ASCII without leading/trailing spaces and not
 *   starting with `=?` is stored as is; any other (empty ones included, which Azure would
 *   drop) becomes `=?utf-8?b?<base64>?=` (RFC 2047 style).
 *
 * Names written by other tools are read as they are, except that `a_b` reads as `a-b`.
 */

const SIMPLE_KEY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAPPED_SIMPLE_KEY = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const HEX_KEY = /^_((?:[0-9a-f]{2})*)$/;
const PLAIN_VALUE = /^(?![ \t])[\x20-\x7e]+(?<![ \t])$/;
const ENCODED_VALUE = /^=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=$/;

export function toAzureName(key: string): string {
  if (SIMPLE_KEY.test(key)) return key.replace(/-/g, '_');
  return `_${Buffer.from(key, 'utf8').toString('hex')}`;
}

export function fromAzureName(name: string): string {
  const lower = name.toLowerCase();
  if (MAPPED_SIMPLE_KEY.test(lower)) return lower.replace(/_/g, '-');
  const hex = HEX_KEY.exec(lower);
  if (hex) {
    const decoded = Buffer.from(hex[1]!, 'hex').toString('utf8');
    if (Buffer.from(decoded, 'utf8').toString('hex') === hex[1]) return decoded;
  }
  return name;
}

export function toAzureValue(value: string): string {
  if (PLAIN_VALUE.test(value) && !value.startsWith('=?')) return value;
  return `=?utf-8?b?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function fromAzureValue(value: string): string {
  const encoded = ENCODED_VALUE.exec(value);
  return encoded ? Buffer.from(encoded[1]!, 'base64').toString('utf8') : value;
}

export function toAzureMetadata(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!metadata) return undefined;
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [toAzureName(k), toAzureValue(v)]));
}

export function fromAzureMetadata(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!metadata) return undefined;
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [fromAzureName(k), fromAzureValue(v)]));
}
