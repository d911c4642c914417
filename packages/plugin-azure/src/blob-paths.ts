import { ProviderError } from '@nimbus/kernel/plugin';
import { ROOT_CONTAINER } from './container-name.js';

/** Azure's limit on blob name length (characters). */
const MAX_BLOB_NAME = 1024;

/**
 * Maps Nimbus paths (relative to the destination root) to blob names in the container
 * (below the prefix) and back.
 */
export class BlobPaths {
  /** Blob-name prefix of everything under the root: '' or `prefix/`. */
  readonly rootPrefix: string;

  constructor(
    readonly container: string,
    prefix: string,
  ) {
    this.rootPrefix = prefix === '' ? '' : `${prefix}/`;
  }

  /** The blob name for a file path; refuses names Azure would not store as given. */
  blobName(path: string): string {
    if (path === '' || path.startsWith('/') || path.endsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new ProviderError('invalid', `"${path}" is not a valid file path`);
    }
    if (this.container === ROOT_CONTAINER && path.includes('/')) {
      throw new ProviderError('invalid', `"${path}": blobs in the $root container cannot have "/" in their names (Azure's rule), so $root holds no folders; use another container`);
    }
    const name = this.rootPrefix + path;
    if (name.length > MAX_BLOB_NAME) throw new ProviderError('invalid', `"${path}": blob names are limited to ${MAX_BLOB_NAME} characters`);
    return name;
  }

  /** Blob-name prefix for listing `dir` ('' is the root). */
  listPrefix(dir: string): string {
    if (dir === '') return this.rootPrefix;
    if (dir.startsWith('/') || dir.endsWith('/') || dir.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new ProviderError('invalid', `"${dir}" is not a valid folder path`);
    }
    return `${this.rootPrefix}${dir}/`;
  }

  /**
   * The Nimbus path of a listed blob name or virtual-folder prefix, or undefined when it
   * is not one Nimbus can address (outside the root, or with empty segments like `a//b`).
   */
  pathOf(blobName: string): string | undefined {
    if (!blobName.startsWith(this.rootPrefix)) return undefined;
    const path = blobName.slice(this.rootPrefix.length).replace(/\/$/, '');
    if (path === '' || path.split('/').some((s) => s === '')) return undefined;
    return path;
  }
}
