import { parseConfig, UserError } from '@nimbus/kernel';
import test from 'ava';
import plugin from './index.js';
import { azureConfigSchema } from './config.js';
import { validateContainerName } from './container-name.js';

const KEY = Buffer.alloc(64, 7).toString('base64');
const SIG = 'c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
const SAS_QUERY = `sv=2021-12-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&sig=${SIG}`;
const keyAuth = { accountName: 'myaccount', accountKey: KEY };

/** The one-line message the kernel prints for a destination block. */
function problemWith(block: Record<string, unknown>): string {
  try {
    parseConfig(plugin.configSchema, block, 'profile.yaml', 'destination');
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  return 'valid';
}

const CONTAINER_NAMES: [string, string | undefined][] = [
  ['backups', undefined],
  ['abc', undefined],
  ['a'.repeat(63), undefined],
  ['2024-photos', undefined],
  ['my-backup-1', undefined],
  ['$root', undefined],
  ['ab', 'must be 3 to 63 characters long (it has 2)'],
  ['a'.repeat(64), 'must be 3 to 63 characters long (it has 64)'],
  ['Backups', 'may only hold lowercase letters, digits and dashes, not "B" (use "backups")'],
  ['my_backups', 'may only hold lowercase letters, digits and dashes, not "_"'],
  ['my.backups', 'may only hold lowercase letters, digits and dashes, not "."'],
  ['$logs', 'may only hold lowercase letters, digits and dashes, not "$"'],
  ['-backups', 'must start with a letter or a digit, not a dash'],
  ['bad--name', 'must not contain consecutive dashes ("--")'],
  ['bad-name-', 'must not end with a dash'],
];

for (const [name, rule] of CONTAINER_NAMES) {
  test(`container name "${name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name}" → ${rule ?? 'valid'}`, (t) => {
    t.is(validateContainerName(name), rule);
    t.is(plugin.capabilities.validateBucketName?.(name), rule, 'the capability uses the same rules');
    const message = problemWith({ ...keyAuth, container: name });
    if (rule === undefined) t.is(message, 'valid');
    else t.is(message, `profile.yaml: field "destination.container" is invalid: container name "${name}" ${rule}; fix it and run again`);
  });
}

test('bad settings are one line naming the field and the fix, never echoing a secret', (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ container: 'backups' }, /"destination.accountKey" is invalid: no credentials: give accountName \+ accountKey, a connectionString, or a serviceUrl carrying a SAS/],
    [{ accountKey: KEY, container: 'backups' }, /"destination.accountName" is invalid: accountKey needs accountName/],
    [{ ...keyAuth, connectionString: `AccountName=x;AccountKey=${KEY}`, container: 'backups' }, /give only one of accountKey, connectionString or a SAS/],
    [{ ...keyAuth, serviceUrl: 'core.windows.net', container: 'backups' }, /"destination.serviceUrl" is invalid: "core.windows.net" is a domain, not a full URL: give the whole endpoint, e.g. https:\/\/<account>.blob.core.windows.net/],
    [{ ...keyAuth, serviceUrl: 'blob.core.chinacloudapi.cn', container: 'backups' }, /is a domain, not a full URL: give the whole endpoint, e.g. https:\/\/<account>.blob.core.chinacloudapi.cn/],
    [{ ...keyAuth, serviceUrl: 'ftp://myaccount.blob.core.windows.net', container: 'backups' }, /must start with https:\/\//],
    [{ serviceUrl: `https://myaccount.blob.core.windows.net/?${SAS_QUERY}` }, /"destination.serviceUrl" is invalid: a SAS URL must include the container .*generate a container SAS/],
    [{ serviceUrl: `https://myaccount.blob.core.windows.net/photos?${SAS_QUERY}`, container: 'videos' }, /the SAS URL is for container "photos", not "videos"/],
    [{ serviceUrl: `https://myaccount.blob.core.windows.net/photos/2024?${SAS_QUERY}` }, /must end at the account \(or, with a SAS, at the container\): put folders in "prefix"/],
    [{ ...keyAuth, serviceUrl: 'https://myaccount.blob.core.windows.net/photos', container: 'photos' }, /without a SAS, serviceUrl names only the account endpoint/],
    [{ connectionString: 'AccountName=x;EndpointSuffix=core.windows.net', container: 'backups' }, /"destination.connectionString" is invalid: has neither AccountKey nor SharedAccessSignature/],
    [{ ...keyAuth, container: '$root', prefix: 'photos' }, /"destination.prefix" is invalid: blobs in the \$root container cannot have "\/" in their names/],
    [{ ...keyAuth, container: 'backups', prefix: 'a/../b' }, /"destination.prefix" is invalid: remote path "a\/..\/b" must not contain ".."/],
    [{ ...keyAuth, container: 'backups', accessTier: 'Glacier' }, /"destination.accessTier" is invalid/],
    [{ ...keyAuth, container: 'backups', blockSize: 5000 * 1024 * 1024 }, /"destination.blockSize" is invalid/],
    [{ ...keyAuth, container: 'backups', acessTier: 'Hot' }, /unknown field "destination.acessTier" \(did you mean "accessTier"\?\)/],
  ];
  for (const [block, expected] of cases) {
    const message = problemWith(block);
    t.regex(message, expected, JSON.stringify(block));
    t.false(message.includes('\n'), 'one line');
    t.false(message.includes(KEY) || message.includes(SIG), `no secret in: ${message}`);
  }
});

test('valid ways to authenticate; the SAS URL supplies the container', (t) => {
  t.is(problemWith({ ...keyAuth, container: 'backups' }), 'valid');
  t.is(problemWith({ connectionString: `DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=${KEY};EndpointSuffix=core.windows.net`, container: 'backups' }), 'valid');
  t.is(problemWith({ connectionString: 'UseDevelopmentStorage=true', container: 'backups' }), 'valid');
  t.is(problemWith({ serviceUrl: `https://myaccount.blob.core.windows.net/photos?${SAS_QUERY}` }), 'valid');
  t.is(problemWith({ serviceUrl: `http://127.0.0.1:10000/devstoreaccount1/photos?${SAS_QUERY}`, container: 'photos' }), 'valid');
  t.is(problemWith({ ...keyAuth, serviceUrl: 'https://myaccount.blob.core.chinacloudapi.cn', container: 'backups' }), 'valid');
  t.is(problemWith({ ...keyAuth, container: '$root' }), 'valid');
});

test('describeLocation names the place without keys, connection strings or SAS signatures', (t) => {
  const describe = (block: Record<string, unknown>) => plugin.describeLocation!(azureConfigSchema.parse(block), { baseDir: '/' });
  t.is(describe({ ...keyAuth, container: 'backups', prefix: '/photos/2024/' }), 'https://myaccount.blob.core.windows.net/backups/photos/2024');
  t.is(describe({ serviceUrl: `https://myaccount.blob.core.windows.net/photos?${SAS_QUERY}` }), 'https://myaccount.blob.core.windows.net/photos');
  t.is(describe({ serviceUrl: `http://127.0.0.1:10000/devstoreaccount1/photos?${SAS_QUERY}` }), 'http://127.0.0.1:10000/devstoreaccount1/photos');
  t.is(
    describe({ connectionString: `DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=${KEY};EndpointSuffix=core.windows.net`, container: 'backups' }),
    'https://myaccount.blob.core.windows.net/backups',
  );
  t.is(describe({ connectionString: 'UseDevelopmentStorage=true', container: 'backups' }), 'http://127.0.0.1:10000/devstoreaccount1/backups');
  t.is(describe({ ...keyAuth, container: '$root' }), 'https://myaccount.blob.core.windows.net/$root');
  t.deepEqual([...(plugin.secretFields ?? [])].sort(), ['accountKey', 'connectionString', 'serviceUrl']);
});

test('declared capabilities: tiers, Archive rehydration, block limits', (t) => {
  const c = plugin.capabilities;
  t.deepEqual([...c.archive.tiers], ['Hot', 'Cool', 'Cold', 'Archive']);
  t.deepEqual([...c.archive.archiveTiers], ['Archive']);
  t.is(c.archive.restore, 'rehydrate');
  t.deepEqual([...c.archive.restorePriorities], ['Standard', 'High']);
  t.is(c.maxObjectSize, 50_000 * 4000 * 1024 * 1024, '50,000 blocks of 4000 MiB ≈ 190.7 TiB');
  t.like(c.chunkedUpload, { maxParts: 50_000, maxPartSize: 4000 * 1024 * 1024 });
  t.like(c, { metadata: true, folders: 'virtual', versioning: 'none', serverSideCopy: true, serverSideMove: true, immutable: false });
  t.is(c.mtime.support, 'none');
  t.deepEqual([...c.hashes], ['md5']);
});
