import picomatch from 'picomatch';

/**
 * Include/exclude globs, matched against paths relative to the source root.
 * Excludes apply to both sides: an excluded file is neither uploaded nor deleted.
 */
export class PathFilter {
  private readonly included: ((p: string) => boolean) | undefined;
  private readonly excluded: ((p: string) => boolean) | undefined;

  constructor(include: readonly string[], exclude: readonly string[]) {
    const options = { dot: true };
    this.included = include.length ? picomatch([...include], options) : undefined;
    this.excluded = exclude.length ? picomatch([...exclude], options) : undefined;
  }

  /** Whether a file takes part in the run. */
  acceptsFile(path: string): boolean {
    if (this.excluded?.(path)) return false;
    return this.included ? this.included(path) : true;
  }

  /** Whether to descend into a folder (`dir/**` style excludes prune the whole subtree). */
  acceptsFolder(path: string): boolean {
    return !(this.excluded && (this.excluded(path) || this.excluded(`${path}/`)));
  }
}
