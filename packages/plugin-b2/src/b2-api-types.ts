/** Wire shapes of B2's native API (v3) that the plugin reads. */

/** The file structure B2 returns from uploads, listings, hide, start and finish calls. */
export interface B2File {
  readonly accountId?: string;
  readonly action: 'upload' | 'hide' | 'start' | 'folder' | string;
  readonly bucketId?: string;
  readonly contentLength: number;
  /** 40 hex digits; "none" for large files; null for hide markers and folders. */
  readonly contentSha1: string | null;
  readonly contentType?: string | null;
  /** null for folders in listings. */
  readonly fileId: string | null;
  readonly fileInfo: Readonly<Record<string, string>>;
  readonly fileName: string;
  readonly uploadTimestamp: number;
}

export interface B2AuthorizeResponse {
  readonly accountId: string;
  readonly authorizationToken: string;
  readonly apiInfo: {
    readonly storageApi: {
      readonly apiUrl: string;
      readonly downloadUrl: string;
      readonly recommendedPartSize: number;
      readonly absoluteMinimumPartSize: number;
      /** Set when the application key is restricted to one bucket. */
      readonly bucketId?: string | null;
      readonly bucketName?: string | null;
      readonly namePrefix?: string | null;
      readonly capabilities?: readonly string[];
    };
  };
}

/** What the plugin keeps of an authorization: the token and the URLs and sizes it came with. */
export interface B2Authorization {
  readonly accountId: string;
  readonly authorizationToken: string;
  readonly apiUrl: string;
  readonly downloadUrl: string;
  readonly recommendedPartSize: number;
  readonly absoluteMinimumPartSize: number;
  readonly allowedBucketId?: string;
  readonly allowedBucketName?: string;
  readonly namePrefix?: string;
}

export interface B2Bucket {
  readonly accountId: string;
  readonly bucketId: string;
  readonly bucketName: string;
  readonly bucketType: string;
}

/** b2_get_upload_url / b2_get_upload_part_url: where to send one upload, and its own token. */
export interface B2UploadTarget {
  readonly uploadUrl: string;
  readonly authorizationToken: string;
}

export interface B2ListFileNamesResponse {
  readonly files: readonly B2File[];
  readonly nextFileName: string | null;
}

export interface B2ListFileVersionsResponse {
  readonly files: readonly B2File[];
  readonly nextFileName: string | null;
  readonly nextFileId: string | null;
}

export interface B2ListUnfinishedResponse {
  readonly files: readonly B2File[];
  readonly nextFileId: string | null;
}

export interface B2UploadPartResponse {
  readonly fileId: string;
  readonly partNumber: number;
  readonly contentLength: number;
  readonly contentSha1: string;
}

/** b2_list_parts: the parts of an unfinished large file. */
export interface B2ListPartsResponse {
  readonly parts: readonly { readonly partNumber: number; readonly contentLength: number; readonly contentSha1: string }[];
  readonly nextPartNumber: number | null;
}
