import test from 'ava';
import { markPendingInListing } from './list-xml.js';

const listing = (blobs: string) => `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${blobs}</Blobs></EnumerationResults>`;
const blob = (nameXml: string, tier = 'Archive') =>
  `<Blob>${nameXml}<Properties><Content-Length>1</Content-Length><AccessTier>${tier}</AccessTier></Properties></Blob>`;

test('pending blobs get ArchiveStatus and RehydratePriority after AccessTier; others are untouched', (t) => {
  const xml = listing(blob('<Name>a &amp; b.txt</Name>') + blob('<Name>other.txt</Name>') + blob('<Name Encoded="true">odd%EF%BF%BE.txt</Name>'));
  const pending = new Map([
    ['a & b.txt', { targetTier: 'Hot', priority: 'High' }],
    ['odd\uFFFE.txt', { targetTier: 'Cool', priority: 'Standard' }],
  ]);
  const out = markPendingInListing(xml, (name) => pending.get(name));
  t.true(out.includes('<Name>a &amp; b.txt</Name><Properties><Content-Length>1</Content-Length><AccessTier>Archive</AccessTier><ArchiveStatus>rehydrate-pending-to-hot</ArchiveStatus><RehydratePriority>High</RehydratePriority>'));
  t.true(out.includes('<AccessTier>Archive</AccessTier><ArchiveStatus>rehydrate-pending-to-cool</ArchiveStatus><RehydratePriority>Standard</RehydratePriority>'));
  t.true(out.includes(blob('<Name>other.txt</Name>')), 'a blob that is not pending is left as it was');
});
