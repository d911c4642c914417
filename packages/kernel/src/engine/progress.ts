/** What a front end hears while a run goes on (to draw a progress bar). */
export type ProgressEvent =
  | { readonly type: 'queued'; readonly path: string; readonly bytes: number }
  | { readonly type: 'bytes'; readonly path: string; readonly delta: number }
  | { readonly type: 'done'; readonly path: string; readonly action: PlannedAction['action'] }
  | { readonly type: 'failed'; readonly path: string; readonly error: string }
  | { readonly type: 'scanned'; readonly files: number };

export type ProgressListener = (event: ProgressEvent) => void;

/** One step of the plan (printed by dry runs, counted in the report). */
export interface PlannedAction {
  readonly action: 'upload' | 'update' | 'delete' | 'rename' | 'make-folder' | 'remove-folder' | 'touch' | 'restore';
  readonly path: string;
  readonly bytes?: number;
}
