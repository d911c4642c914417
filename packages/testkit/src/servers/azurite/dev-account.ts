/**
 * Azurite's fixed development account. The key is public (published in Microsoft's
 * documentation and built into every Azure SDK); it only ever opens a local emulator.
 */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const AZURITE_HOST = '127.0.0.1';
export const AZURITE_BLOB_PORT = 10000;

/** Where and how to reach the blob service of a running Azurite. */
export interface AzuriteServer {
  /** Path-style endpoint of the dev account, e.g. http://127.0.0.1:10000/devstoreaccount1 */
  readonly blobEndpoint: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly connectionString: string;
}

export function azuriteServerAt(host: string, port: number): AzuriteServer {
  const blobEndpoint = `http://${host}:${port}/${AZURITE_ACCOUNT_NAME}`;
  return {
    blobEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
      `BlobEndpoint=${blobEndpoint};`,
  };
}
