import type { CloudDatabase, FileFacts, FolderFacts } from '../database/cloud-database.js';

/**
 * Collects database changes from concurrent transfers and writes them in batches
 * (one transaction per batch), so a run costs a handful of transactions, not one per file.
 */
export class RecordWriter {
  private files = new Map<string, FileFacts>();
  private removedFiles = new Set<string>();
  private folders = new Map<string, FolderFacts>();
  private removedFolders = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly db: CloudDatabase, private readonly batchSize = 500) {}

  saveFile(facts: FileFacts): void {
    this.removedFiles.delete(facts.path);
    this.files.set(facts.path, facts);
    this.maybeFlush();
  }

  removeFile(path: string): void {
    this.files.delete(path);
    this.removedFiles.add(path);
    this.maybeFlush();
  }

  saveFolder(facts: FolderFacts): void {
    this.removedFolders.delete(facts.path);
    this.folders.set(facts.path, facts);
    this.maybeFlush();
  }

  removeFolder(path: string): void {
    this.folders.delete(path);
    this.removedFolders.add(path);
    this.maybeFlush();
  }

  private get pending(): number {
    return this.files.size + this.removedFiles.size + this.folders.size + this.removedFolders.size;
  }

  private maybeFlush(): void {
    if (this.pending >= this.batchSize) void this.flush().catch(() => undefined);
  }

  /** Write everything collected so far; resolves once it is in the database. */
  flush(): Promise<void> {
    const files = [...this.files.values()];
    const removedFiles = [...this.removedFiles];
    const folders = [...this.folders.values()];
    const removedFolders = [...this.removedFolders];
    this.files = new Map();
    this.removedFiles = new Set();
    this.folders = new Map();
    this.removedFolders = new Set();
    const write = async () => {
      await this.db.saveFolders(folders);
      await this.db.saveFiles(files);
      await this.db.removeFiles(removedFiles);
      await this.db.removeFolders(removedFolders);
    };
    this.flushing = this.flushing.then(write).catch((error) => {
      this.failure ??= error;
    });
    return this.flushing.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }
}
