import { FileRecord } from './file-record.js';
import { FolderRecord } from './folder-record.js';
import { MetaRecord } from './meta-record.js';
import { RunRecord } from './run-record.js';
import { UploadPartRecord } from './upload-part-record.js';
import { UploadSessionRecord } from './upload-session-record.js';
import { VersionRecord } from './version-record.js';

/** Every entity of the cloud database (the schema TypeORM checks the migrations against). */
export const ENTITIES = [FileRecord, FolderRecord, RunRecord, MetaRecord, VersionRecord, UploadSessionRecord, UploadPartRecord];
