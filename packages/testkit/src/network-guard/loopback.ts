import { BlockList, isIP } from 'node:net';

/** What tests may reach, as said in every refusal. */
export const ALLOWED_TARGETS = '127.0.0.1/::1/localhost';

// BlockList used as an allow-list: it also matches IPv4-mapped IPv6 (::ffff:127.0.0.1)
// and every spelling of ::1.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether a host names this machine's loopback interface: 127.0.0.0/8, ::1 or `localhost`.
 * An absent host counts, because Node connects to localhost when none is given.
 */
export function isLoopbackHost(host: string | null | undefined): boolean {
  if (host === undefined || host === null || host === '') return true;
  let name = host.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name === 'localhost' || name === 'localhost.') return true;
  const family = isIP(name);
  if (family === 4) return LOOPBACK.check(name, 'ipv4');
  if (family === 6) return LOOPBACK.check(name, 'ipv6');
  return false;
}
