import { parseConfig, UserError } from '@nimbus/kernel';
import test from 'ava';
import plugin, { parseS3Target } from './index.js';
import { resolveEndpoint } from './endpoint.js';
import { s3ConfigSchema } from './config.js';
import { refineCapabilities } from './capabilities.js';

const parse = (input: Record<string, unknown>) => parseConfig(s3ConfigSchema, input, 'profile.yaml', 'destination');
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return undefined;
};

test('defaults: AWS over https, STANDARD class, 7-day Standard restores, 16 MiB multipart threshold', (t) => {
  const config = parse({ bucket: 'my-backups' });
  t.like(config, { bucket: 'my-backups', prefix: '', s3Compatible: false, useHttps: true, storageClass: 'STANDARD', restoreDays: 7, restoreTier: 'Standard', createBucket: false, multipartThreshold: 16 * 1024 * 1024 });
  t.deepEqual(resolveEndpoint(config), { url: undefined, host: 's3.us-east-1.amazonaws.com', https: true });
  t.is(parse({ bucket: 'b-1', prefix: '/photos/2024/' }).prefix, 'photos/2024');
});

test('a plain-http endpoint is refused unless useHttps is false, and the message says what https does', (t) => {
  const error = errorOf(() => resolveEndpoint(parse({ bucket: 'b-1', endpoint: 'http://127.0.0.1:8080' })));
  t.true(error instanceof UserError);
  t.is(error?.message.split('\n').length, 1);
  t.regex(error!.message, /plain http: set useHttps: false.*https encrypts the connection, not the files/);
  t.deepEqual(resolveEndpoint(parse({ bucket: 'b-1', endpoint: 'http://127.0.0.1:8080', useHttps: false })), { url: 'http://127.0.0.1:8080', host: '127.0.0.1:8080', https: false });
  t.deepEqual(resolveEndpoint(parse({ bucket: 'b-1', endpoint: 's3.wasabisys.com' })), { url: 'https://s3.wasabisys.com', host: 's3.wasabisys.com', https: true });
  t.regex(errorOf(() => resolveEndpoint(parse({ bucket: 'b-1', endpoint: 'https://x.example', useHttps: false })))!.message, /https but useHttps is false/);
  t.regex(errorOf(() => resolveEndpoint(parse({ bucket: 'b-1', endpoint: 'ftp://x.example' })))!.message, /uses ftp/);
});

test('settings errors are one line naming the field: half credentials, bad bucket, Amazon-only class on a compatible service, unknown field', (t) => {
  t.regex(errorOf(() => parse({ bucket: 'b-1', accessKeyId: 'AKIA' }))!.message, /"destination.secretAccessKey".*give both accessKeyId and secretAccessKey/);
  t.regex(errorOf(() => parse({ bucket: 'Bad_Name', region: 'eu-west-1' }))!.message, /"destination.bucket".*naming rule "characters"/);
  t.notThrows(() => parse({ bucket: 'Legacy_Name' }), 'US Standard accepts legacy names');
  t.regex(errorOf(() => parse({ bucket: 'Legacy_Name', s3Compatible: true }))!.message, /naming rule "characters"/);
  t.regex(errorOf(() => parse({ bucket: 'b-1', s3Compatible: true, storageClass: 'GLACIER' }))!.message, /GLACIER is an Amazon storage class/);
  t.regex(errorOf(() => parse({ bucket: 'b-1', storageclass: 'GLACIER' }))!.message, /unknown field "destination.storageclass" \(did you mean "storageClass"\?\)/);
  t.regex(errorOf(() => parse({ bucket: 'b-1', restoreTier: 'Fast' }))!.message, /restoreTier/);
});

test('parseTarget, describeLocation without secrets, secret fields declared', (t) => {
  t.deepEqual(parseS3Target('my-bucket/some/prefix/'), { bucket: 'my-bucket', prefix: 'some/prefix' });
  t.deepEqual(plugin.parseTarget!('my-bucket'), { bucket: 'my-bucket' });
  const config = parse({ bucket: 'b-1', prefix: 'p', endpoint: 'https://user:pw@s3.example.com:9000/', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'SECRETSECRET' });
  const location = plugin.describeLocation!(config, { baseDir: '/' });
  t.is(location, 'b-1/p@s3.example.com:9000');
  t.deepEqual(plugin.secretFields, ['secretAccessKey', 'sessionToken']);
});

test('capabilities: Amazon has classes and Glacier restore; a compatible service has neither; versions only where kept', (t) => {
  t.deepEqual(plugin.capabilities.archive.archiveTiers, ['GLACIER', 'DEEP_ARCHIVE']);
  t.is(plugin.capabilities.archive.restore, 'temporary-copy');
  const compatible = refineCapabilities({ s3Compatible: true, versioned: false, multipartThreshold: 8 << 20, legacyBucketNames: false });
  t.deepEqual(compatible.archive, { tiers: ['STANDARD'], archiveTiers: [], restore: 'none', restorePriorities: [] });
  t.is(compatible.versioning, 'none');
  t.is(compatible.chunkedUpload?.threshold, 8 << 20);
  t.truthy(compatible.validateBucketName?.('Legacy_Name'));
  const aws = refineCapabilities({ s3Compatible: false, versioned: true, multipartThreshold: 16 << 20, legacyBucketNames: true });
  t.is(aws.versioning, 'optional');
  t.is(aws.validateBucketName?.('Legacy_Name'), undefined);
});
