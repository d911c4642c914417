/** A Copy Blob from an archived source: the destination rehydrates, its copy stays pending. */
export interface PendingCopy {
  /** x-ms-copy-id of the copy. */
  readonly id: string;
  readonly sourceContainer: string;
  readonly sourceBlob: string;
  /** The source's ETag when the copy started: a source deleted or overwritten since fails the copy. */
  readonly sourceEtag: string;
}

/** What the proxy reports for a blob being rehydrated (by Set Blob Tier, or as the destination of a copy). */
export interface PendingRehydration {
  /** Tier the blob is moving to (Hot, Cool, Cold). */
  readonly targetTier: string;
  readonly priority: string;
  /** Set when the blob is the destination of a pending Copy Blob. */
  readonly copy?: PendingCopy;
}

export function archiveStatusFor(pending: PendingRehydration): string {
  return `rehydrate-pending-to-${pending.targetTier.toLowerCase()}`;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return XML_ENTITIES[entity.toLowerCase()] ?? '';
  });
}

/** The blob name of one `<Blob>` element, XML-escaped or percent-encoded (`Encoded="true"`). */
function blobNameIn(blobXml: string): string | undefined {
  const match = /<Name( Encoded="true")?>([^<]*)<\/Name>/.exec(blobXml);
  if (!match) return undefined;
  const text = decodeXmlText(match[2]!);
  return match[1] ? decodeURIComponent(text) : text;
}

/**
 * Rewrite a List Blobs response so blobs being rehydrated look as Azure shows them:
 * `<AccessTier>Archive</AccessTier>` followed by `<ArchiveStatus>` and `<RehydratePriority>`.
 */
export function markPendingInListing(xml: string, pendingFor: (blobName: string) => PendingRehydration | undefined): string {
  return xml.replace(/<Blob>[\s\S]*?<\/Blob>/g, (blobXml) => {
    const name = blobNameIn(blobXml);
    const pending = name === undefined ? undefined : pendingFor(name);
    if (!pending) return blobXml;
    let withoutStatus = blobXml.replace(/<ArchiveStatus>[^<]*<\/ArchiveStatus>|<RehydratePriority>[^<]*<\/RehydratePriority>/g, '');
    if (pending.copy) {
      // Azurite finished the copy at once; Azure lists it as pending until the rehydration ends.
      withoutStatus = withoutStatus.replace(/<CopyStatus>[^<]*<\/CopyStatus>/, '');
      withoutStatus = withoutStatus.replace('</Properties>', '<CopyStatus>pending</CopyStatus></Properties>');
    }
    const status = `<ArchiveStatus>${archiveStatusFor(pending)}</ArchiveStatus><RehydratePriority>${pending.priority}</RehydratePriority>`;
    if (/<AccessTier>[^<]*<\/AccessTier>/.test(withoutStatus)) {
      return withoutStatus.replace(/<AccessTier>[^<]*<\/AccessTier>/, `<AccessTier>Archive</AccessTier>${status}`);
    }
    return withoutStatus.replace('</Properties>', `<AccessTier>Archive</AccessTier>${status}</Properties>`);
  });
}
