/** Emulator shorthand understood by every Azure SDK. */
const DEVELOPMENT_ENDPOINT = 'http://127.0.0.1:10000/devstoreaccount1';

/** `Key=Value;Key=Value` → map (values may contain `=`, e.g. base64 keys). */
export function connectionStringParts(connectionString: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const element of connectionString.split(';')) {
    const at = element.indexOf('=');
    if (at > 0) parts.set(element.slice(0, at).trim().toLowerCase(), element.slice(at + 1).trim());
  }
  return parts;
}

/**
 * The blob endpoint a connection string points at, without any secret: for naming the
 * place in reports. Undefined when the string names none.
 */
export function endpointOfConnectionString(connectionString: string): string | undefined {
  const parts = connectionStringParts(connectionString);
  if (parts.get('usedevelopmentstorage') === 'true') return parts.get('developmentstorageproxyuri') || DEVELOPMENT_ENDPOINT;
  const blobEndpoint = parts.get('blobendpoint');
  if (blobEndpoint) return blobEndpoint.replace(/\/+$/, '').replace(/\?.*$/, '');
  const account = parts.get('accountname');
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  return account ? `${protocol}://${account}.blob.${suffix}` : undefined;
}

/** Why a connection string cannot work, or undefined. Never echoes it. */
export function connectionStringProblem(connectionString: string): string | undefined {
  const parts = connectionStringParts(connectionString);
  if (parts.get('usedevelopmentstorage') === 'true') return undefined;
  if (!parts.has('accountkey') && !parts.has('sharedaccesssignature')) {
    return 'has neither AccountKey nor SharedAccessSignature: copy the whole string from the portal (Access keys)';
  }
  if (!endpointOfConnectionString(connectionString)) return 'names no account: it needs AccountName or BlobEndpoint';
  return undefined;
}
