import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { isLoopbackHost } from './loopback.js';
import { NetworkGuardError } from './network-guard-error.js';

const INSTALLED = Symbol.for('nimbus.testkit.network-guard');

/** DNS queries that always go to a name server, whatever the name (c-ares reads no hosts file). */
const RESOLVER_METHODS = [
  'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx',
  'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse',
] as const;

type AnyFunction = (...args: any[]) => any;

/**
 * Make every attempt to leave the machine fail at once with a NetworkGuardError, so a test
 * that would hit a real cloud fails loudly instead of hanging, costing money or leaking data.
 * Allowed: loopback TCP (127.0.0.0/8, ::1, localhost), unix sockets and named pipes.
 *
 * Patched: net.Socket#connect (under http, https, tls, http2 and undici/fetch), dns.lookup,
 * dns.lookupService, the dns.resolve* family and their promise and Resolver forms. Named ESM
 * imports of node:dns see the patched functions. UDP (dgram) is not covered.
 * Installing twice is harmless.
 */
export function installNetworkGuard(): void {
  const registry = globalThis as { [INSTALLED]?: true };
  if (registry[INSTALLED]) return;
  guardSocketConnect();
  guardLookups();
  guardResolvers();
  syncBuiltinESMExports();
  registry[INSTALLED] = true;
}

export function isNetworkGuardInstalled(): boolean {
  return (globalThis as { [INSTALLED]?: true })[INSTALLED] === true;
}

type ConnectTarget = { readonly path: string } | { readonly host: string | undefined; readonly port: unknown };

/** What Socket#connect was asked for, in all its call shapes. */
function connectTarget(args: unknown[]): ConnectTarget {
  // net.connect() hands Socket#connect its normalised arguments as one array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string') return { path: options.path };
    return { host: typeof options.host === 'string' ? options.host : undefined, port: options.port };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
  return { host: typeof args[1] === 'string' ? args[1] : undefined, port: first };
}

function guardSocketConnect(): void {
  const original = net.Socket.prototype.connect as AnyFunction;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const target = connectTarget(args);
    if ('host' in target && !isLoopbackHost(target.host)) {
      const error = new NetworkGuardError(`reach ${target.host}:${String(target.port)}`);
      // Fail the way a refused connection does: the socket is "connecting" (so early
      // writes queue instead of failing with their own error), then gets an 'error' event
      // once callers (http's onSocket runs on nextTick) have attached their listeners.
      (this as { connecting: boolean }).connecting = true;
      setImmediate(() => this.destroy(error));
      return this;
    }
    return original.apply(this, args);
  } as typeof net.Socket.prototype.connect;
}

function guardLookups(): void {
  const lookup = dns.lookup as AnyFunction;
  (dns as { lookup: AnyFunction }).lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (isLoopbackHost(hostname)) return lookup.call(dns, hostname, ...rest);
    failCallback(rest, new NetworkGuardError(`look up ${hostname}`));
    return undefined;
  };

  const lookupService = dns.lookupService as AnyFunction;
  (dns as { lookupService: AnyFunction }).lookupService = function guardedLookupService(address: string, ...rest: unknown[]) {
    if (isLoopbackHost(address)) return lookupService.call(dns, address, ...rest);
    failCallback(rest, new NetworkGuardError(`look up the name of ${address}`));
    return undefined;
  };

  const promises = dns.promises as unknown as Record<string, AnyFunction>;
  for (const name of ['lookup', 'lookupService']) {
    const original = promises[name]!;
    promises[name] = function guardedPromiseLookup(host: string, ...rest: unknown[]) {
      if (isLoopbackHost(host)) return original.call(dns.promises, host, ...rest);
      return Promise.reject(new NetworkGuardError(`look up ${host}`));
    };
  }
}

function guardResolvers(): void {
  const callbackTargets = [dns, dns.Resolver.prototype] as unknown as Record<string, AnyFunction>[];
  const promiseTargets = [dns.promises, dns.promises.Resolver.prototype] as unknown as Record<string, AnyFunction>[];
  for (const name of RESOLVER_METHODS) {
    for (const target of callbackTargets) {
      if (typeof target[name] !== 'function') continue;
      target[name] = function guardedResolve(host: string, ...rest: unknown[]) {
        failCallback(rest, new NetworkGuardError(`resolve ${host} through DNS`));
        return undefined;
      };
    }
    for (const target of promiseTargets) {
      if (typeof target[name] !== 'function') continue;
      target[name] = function guardedPromiseResolve(host: string) {
        return Promise.reject(new NetworkGuardError(`resolve ${host} through DNS`));
      };
    }
  }
}

/** Deliver the refusal to the trailing callback asynchronously, as a failed look-up would. */
function failCallback(args: unknown[], error: NetworkGuardError): void {
  const callback = args[args.length - 1];
  if (typeof callback !== 'function') throw error;
  process.nextTick(callback as AnyFunction, error);
}
