import { startAzureArchiveProxy, type AzureArchiveProxy } from '@nimbus/testkit';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import test, { type ExecutionContext } from 'ava';
import { freshContainer, testAccount } from './test-support/azurite-account.js';

// The rules the Azure Archive proxy adds on top of Azurite, checked with the official SDK
// the way the plugin calls the service. Each quotes the Azure documentation it follows.

async function setUp(t: ExecutionContext): Promise<{ proxy: AzureArchiveProxy; client: ContainerClient; name: string }> {
  const { server, credential } = await testAccount();
  const container = await freshContainer('rules');
  t.teardown(container.cleanup);
  const proxy = await startAzureArchiveProxy({ target: server });
  t.teardown(() => proxy.close());
  const client = new BlobServiceClient(proxy.blobEndpoint, credential).getContainerClient(container.name);
  return { proxy, client, name: container.name };
}

async function archivedBlob(client: ContainerClient, name: string, text: string): Promise<void> {
  await client.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), { metadata: { kept: 'yes' } });
  await client.getBlobClient(name).setAccessTier('Archive');
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return `${(error as { statusCode?: number }).statusCode} ${(error as { code?: string }).code}`;
  }
}

async function text(client: ContainerClient, name: string): Promise<string> {
  return (await client.getBlobClient(name).downloadToBuffer()).toString();
}

test('an archived blob: metadata, properties and block uploads are refused with 409 BlobArchived; properties, listing and delete work', async (t) => {
  // "Setting or modifying the blob metadata while in archive isn't allowed. [...] For blobs in
  // archive, the only valid operations are Get Blob Properties, Get Blob Metadata, Set Blob Tags,
  // Get Blob Tags, Find Blobs by Tags, List Blobs, Set Blob Tier, Copy Blob, and Delete Blob."
  // (Azure Storage, "Access tiers for blob data", archive access tier)
  const { client } = await setUp(t);
  await archivedBlob(client, 'cold.txt', 'frozen');
  const blob = client.getBlockBlobClient('cold.txt');
  t.is(await errorCode(blob.setMetadata({ nimbus_mtime: '1' })), '409 BlobArchived');
  t.is(await errorCode(blob.setHTTPHeaders({ blobContentType: 'text/plain' })), '409 BlobArchived');
  t.is(await errorCode(blob.stageBlock('YmxvY2sx', 'x', 1)), '409 BlobArchived');
  t.is(await errorCode(blob.createSnapshot()), '409 BlobArchived');
  t.is(await errorCode(blob.download()), '409 BlobArchived', 'Get Blob (Azurite itself refuses it)');
  const properties = await blob.getProperties();
  t.is(properties.accessTier, 'Archive');
  t.deepEqual(properties.metadata, { kept: 'yes' }, 'the refused metadata change changed nothing');
  const listed = [];
  for await (const item of client.listBlobsFlat()) listed.push(item.name);
  t.deepEqual(listed, ['cold.txt']);
  await blob.delete();
  t.false(await blob.exists());
});

test('a blob being rehydrated by Set Blob Tier is still archived: metadata is refused until it is done', async (t) => {
  // "During the rehydration operation, the blob's access tier setting continues to show as
  // archived until the rehydration process is complete." (Azure Storage, "Blob rehydration
  // from the archive tier")
  const { proxy, client, name } = await setUp(t);
  await archivedBlob(client, 'warming.txt', 'w');
  await client.getBlobClient('warming.txt').setAccessTier('Hot');
  t.is((await client.getBlobClient('warming.txt').getProperties()).archiveStatus, 'rehydrate-pending-to-hot');
  t.is(await errorCode(client.getBlobClient('warming.txt').setMetadata({ a: 'b' })), '409 BlobArchived');
  t.is(await proxy.completeRehydration(name, 'warming.txt'), 'completed');
  await client.getBlobClient('warming.txt').setMetadata({ a: 'b' });
  t.deepEqual((await client.getBlobClient('warming.txt').getProperties()).metadata, { a: 'b' });
});

test('Copy Blob from an archived source: refused into Archive or without a tier; into an online tier it stays pending while the copy rehydrates', async (t) => {
  // "The target blob for the copy operation must be in an online tier (hot or cool). You can't
  // copy an archived blob to a destination blob that is also in the archive tier." "Copying a
  // blob from the archive tier can take hours to complete [...] The new blob may be visible when
  // you list the blobs in the parent container before the rehydration operation is complete,
  // but its tier will be set to archive. The data isn't available until the read operation from
  // the source blob in the archive tier is complete" (Azure Storage, "Blob rehydration from the
  // archive tier", copy an archived blob to an online tier)
  const { proxy, client, name } = await setUp(t);
  await archivedBlob(client, 'src.txt', 'archived bytes');
  const source = client.getBlobClient('src.txt').url;
  t.is(await errorCode(client.getBlobClient('to-archive.txt').beginCopyFromURL(source, { tier: 'Archive' })), '409 BlobArchived');
  t.is(await errorCode(client.getBlobClient('no-tier.txt').beginCopyFromURL(source)), '409 BlobArchived');
  t.false(await client.getBlobClient('to-archive.txt').exists(), 'a refused copy creates nothing');

  const poller = await client.getBlobClient('copy.txt').beginCopyFromURL(source, { tier: 'Hot', rehydratePriority: 'High' });
  t.false(poller.isDone(), 'Copy Blob answered x-ms-copy-status: pending');
  const destination = client.getBlobClient('copy.txt');
  const during = await destination.getProperties();
  t.like(during, { copyStatus: 'pending', accessTier: 'Archive', archiveStatus: 'rehydrate-pending-to-hot', rehydratePriority: 'High' });
  t.is(await errorCode(destination.download()), '409 BlobArchived', 'no data until the rehydration ends');
  t.is(await errorCode(destination.setMetadata({ a: 'b' })), '409 BlobArchived');
  const listed = new Map<string, { copyStatus?: string; accessTier?: string; archiveStatus?: string }>();
  for await (const item of client.listBlobsFlat()) listed.set(item.name, item.properties);
  t.like(listed.get('copy.txt'), { copyStatus: 'pending', accessTier: 'Archive', archiveStatus: 'rehydrate-pending-to-hot' });
  t.like(listed.get('src.txt'), { accessTier: 'Archive' }, 'the source stays archived');

  t.is(await proxy.completeRehydration(name, 'copy.txt'), 'completed');
  t.like(await destination.getProperties(), { accessTier: 'Hot', archiveStatus: undefined });
  t.is(await text(client, 'copy.txt'), 'archived bytes');
  t.is((await client.getBlobClient('src.txt').getProperties()).accessTier, 'Archive', 'the source is untouched');
});

test('a pending copy whose archived source is deleted never finishes: the destination does not appear', async (t) => {
  // "Do not delete the source blob until the rehydration has completed successfully. If the
  // source blob is deleted, then the destination blob may not finish copying." (Azure Storage,
  // "Blob rehydration from the archive tier")
  const { proxy, client, name } = await setUp(t);
  await archivedBlob(client, 'src.txt', 'only copy');
  await client.getBlobClient('copy.txt').beginCopyFromURL(client.getBlobClient('src.txt').url, { tier: 'Cool' });
  await client.getBlobClient('src.txt').delete();
  t.is(await proxy.completeRehydration(name, 'copy.txt'), 'failed');
  t.deepEqual(proxy.failedCopies, [`${name}/copy.txt`]);
  t.false(await client.getBlobClient('copy.txt').exists());
});
