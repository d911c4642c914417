// "raw": the same big file written with no sync tool at all (the SDK alone for Swift, a
// stream copy for the local folder): the ceiling that target (b) is measured against.
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';
import { RAW_PART_CONCURRENCY, RAW_PART_SIZE } from './raw-s3-upload.js';

const S3_SCRIPT = fileURLToPath(new URL('./raw-s3-upload.js', import.meta.url));
const LOCAL_SCRIPT = fileURLToPath(new URL('./raw-local-copy.js', import.meta.url));

export function createRawTool({ server }) {
  return {
    name: 'raw',
    flags: `raw: @aws-sdk/client-s3 multipart, ${RAW_PART_SIZE / 1024 / 1024} MiB parts, ${RAW_PART_CONCURRENCY} at once, keep-alive (local: Node stream copy)`,
    async run(file, destination, id) {
      const target = destination.rawTarget(id);
      const [script, settings] = target.bucket
        ? [S3_SCRIPT, { file, bucket: target.bucket, key: 'big.bin', endpoint: server.s3Endpoint, region: server.region, accessKeyId: server.s3AccessKeyId, secretAccessKey: server.s3SecretAccessKey }]
        : [LOCAL_SCRIPT, { file, folder: target.folder }];
      const result = await measure(process.execPath, [script, JSON.stringify(settings)]);
      let report;
      try {
        report = JSON.parse(result.stdout);
      } catch {
        report = undefined;
      }
      const ok = result.exitCode === 0 && report !== undefined;
      return { ...result, ok, objects: report?.objects ?? NaN, bytes: report?.bytes ?? NaN, error: ok ? undefined : `exit ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    },
  };
}
