import { normalizeRemotePath } from '@nimbus/kernel/plugin';

/** Maps provider paths to object names in the container below an optional folder. */
export class RemoteRoot {
  /** The folder as an object-name prefix: '' or 'some/folder/'. */
  readonly prefix: string;

  constructor(readonly container: string, folder: string) {
    const normalized = normalizeRemotePath(folder);
    this.prefix = normalized ? `${normalized}/` : '';
  }

  objectName(path: string): string {
    return this.prefix + path;
  }

  /** The listing prefix for a folder path ('' = the root). */
  folderPrefix(dir: string): string {
    return dir ? `${this.prefix}${dir}/` : this.prefix;
  }

  /** The provider path of an object name (or subdir) inside the root. */
  pathOf(objectName: string): string {
    return objectName.slice(this.prefix.length).replace(/\/$/, '');
  }
}
