import type { z } from 'zod';
import type { OAuthDeclaration } from '../accounts/oauth-declaration.js';
import type { TokenSource } from '../accounts/token-source.js';
import type { Capabilities } from '../capabilities/capabilities.js';
import type { Logger } from '../log/logger.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import type { RequestPacer } from '../pacer/pacer.js';

/** What a plugin's factory receives besides its validated configuration. */
export interface PluginContext {
  readonly logger: Logger;
  /** A folder the plugin may use for its own state (token caches...). */
  readonly stateDir: string;
  /** Folder relative config paths are resolved against (the profile's folder, or the working folder). */
  readonly baseDir: string;
  /** A dry run: the plugin must not create anything (bucket, folder...) while connecting. */
  readonly dryRun: boolean;
  /**
   * Access tokens of the linked account the profile names (`account: work`), for plugins that
   * declare `oauth`. Ask for a token per request or upload part; after a 401 call `invalidate`
   * and retry once (`withAccessToken` does both).
   */
  readonly tokens?: TokenSource;
  /**
   * The connection's pacer, shared by every transfer of the run. A plugin passes each request
   * it makes on its own (a follow-up request) through `pacer.call` so that a throttle holds the
   * whole run; the requests of a chunked upload get it through WriteOptions.pacer and
   * uploadInParts instead. Absent when a caller connects without one.
   */
  readonly pacer?: RequestPacer;
}

/**
 * Everything the kernel needs to know about a provider plugin. A plugin package's
 * module exports one as its default export (use `definePlugin` for type checking).
 */
export interface PluginManifest<Config = any> {
  /** Short lower-case id used in profiles (`provider: s3`) and one-off targets (`s3:bucket/dir`). */
  readonly id: string;
  readonly displayName: string;
  readonly description?: string;
  /** Semver range of KERNEL_API_VERSION this plugin was built for, e.g. "^1.0.0". */
  readonly kernelApi: string;
  /** Validates the `destination` block of a profile (minus `provider`). Strict: unknown keys are errors. */
  readonly configSchema: z.ZodType<Config>;
  /** Config fields holding secrets: never logged, reported or stored in plain text. */
  readonly secretFields?: readonly string[];
  /** Capabilities as declared; `connect` may refine them for one connection. */
  readonly capabilities: Capabilities;
  /**
   * The plugin signs in with a linked account (OAuth 2): `nimbus account add <id>` links one
   * and profiles name it with `account:` in their destination block.
   */
  readonly oauth?: OAuthDeclaration;
  /** Turns the `target` of a one-off `id:target` destination into a config object. */
  parseTarget?(target: string): Record<string, unknown>;
  /**
   * A stable, secret-free string naming the place this config points at (reports, and the
   * cloud database's identity). `baseDir` is what relative settings are resolved against.
   */
  describeLocation?(config: Config, context: { readonly baseDir: string }): string;
  connect(config: Config, context: PluginContext): Promise<StorageProvider>;
}

/** Identity function that gives a plugin author type checking and inference. */
export function definePlugin<Config>(manifest: PluginManifest<Config>): PluginManifest<Config> {
  return manifest;
}
