/** The source file changed between the scan and the end of its upload. */
export class SourceChangedError extends Error {
  constructor(path: string, readonly vanished = false) {
    super(
      vanished
        ? `${path} was deleted while it was being read; it was not backed up`
        : `${path} changed while it was being read; it will be sent again on the next run`,
    );
  }
}
