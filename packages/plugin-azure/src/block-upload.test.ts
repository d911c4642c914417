import { isProviderError } from '@nimbus/kernel';
import { randomBytesStream, startAzureArchiveProxy } from '@nimbus/testkit';
import test from 'ava';
import { Readable } from 'node:stream';
import { blockSizeFor, MAX_BLOCKS } from './block-upload.js';
import { connectWith, freshContainer, testAccount } from './test-support/azurite-account.js';

const MiB = 1024 * 1024;

test('block size: the configured one, grown to fit 50,000 blocks, capped at 4000 MiB', (t) => {
  t.is(blockSizeFor(undefined, 8 * MiB), 8 * MiB, 'unknown size: as configured');
  t.is(blockSizeFor(200 * MiB, 8 * MiB), 8 * MiB);
  t.is(blockSizeFor(3 * MiB, 256 * 1024), 256 * 1024, 'small configured blocks are kept');
  t.is(blockSizeFor(8 * MiB * MAX_BLOCKS, 8 * MiB), 8 * MiB);
  t.is(blockSizeFor(8 * MiB * MAX_BLOCKS + 1, 8 * MiB), 9 * MiB, 'one byte more needs bigger blocks (whole MiB)');
  t.is(blockSizeFor(4000 * MiB * MAX_BLOCKS, 8 * MiB), 4000 * MiB);
});

test('a block that fails mid-upload commits nothing: the old blob stays, the staged blocks stay uncommitted', async (t) => {
  const { server } = await testAccount();
  const container = await freshContainer('blocks');
  t.teardown(container.cleanup);
  const proxy = await startAzureArchiveProxy({ target: server });
  t.teardown(() => proxy.close());
  const provider = await connectWith({ container: container.name, serviceUrl: proxy.blobEndpoint, blockSize: 256 * 1024, concurrency: 2 });
  await provider.write('file.bin', Readable.from([Buffer.from('old')]), { size: 3 });

  let blocksSeen = 0;
  // From the 5th block request on, every block fails (more often than the SDK retries).
  proxy.injectFault({ status: 500, code: 'InternalError', times: 1000, match: (r) => r.comp === 'block' && ++blocksSeen >= 5 });
  const error = await t.throwsAsync(provider.write('file.bin', randomBytesStream(3 * MiB, 'x'), { size: 3 * MiB }));
  t.true(isProviderError(error, 'transient'), String(error));
  t.is((await provider.stat('file.bin'))?.size, 3, 'the earlier blob is intact');
  const blocks = await container.client.getBlockBlobClient('file.bin').getBlockList('uncommitted');
  t.true((blocks.uncommittedBlocks?.length ?? 0) >= 4, 'staged blocks wait, uncommitted, for the service to discard them');
  t.deepEqual(proxy.tierRequests, []);
});

test('a body longer or shorter than its declared size is refused before anything is committed', async (t) => {
  const container = await freshContainer('sizes');
  t.teardown(container.cleanup);
  const provider = await connectWith({ container: container.name, blockSize: 256 * 1024 });
  for (const [declared, actual] of [[MiB, MiB + 1], [MiB, MiB - 1], [10, 11], [10, 9]] as const) {
    const error = await t.throwsAsync(provider.write('sized.bin', randomBytesStream(actual, 's'), { size: declared }));
    t.true(isProviderError(error, 'conflict'), `${declared}/${actual}: ${String(error)}`);
    t.is(await provider.stat('sized.bin'), undefined);
  }
});

test('an unknown-size body of many blocks goes up whole, with its Content-MD5', async (t) => {
  const container = await freshContainer('unsized');
  t.teardown(container.cleanup);
  const provider = await connectWith({ container: container.name, blockSize: 64 * 1024, concurrency: 8 });
  const progress: number[] = [];
  const entry = await provider.write('unsized.bin', randomBytesStream(5 * MiB + 7, 'u'), { onProgress: (n) => progress.push(n) });
  t.is(entry.size, 5 * MiB + 7);
  t.is(progress.at(-1), 5 * MiB + 7);
  const blocks = await container.client.getBlockBlobClient('unsized.bin').getBlockList('committed');
  t.is(blocks.committedBlocks?.length, 81);
  t.is((await provider.stat('unsized.bin'))?.hashes?.md5, entry.hashes?.md5);
});
