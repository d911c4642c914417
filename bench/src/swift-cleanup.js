// Removes the bench's containers (and S3 buckets: Swift's s3api keeps them as containers of
// the same account, with multipart parts in "<bucket>+segments") through Swift's bulk-delete
// middleware: 10,000 objects per request instead of one request each.
const BULK_LIMIT = 10_000;

/**
 * A tempauth session that logs in again when a request answers 401: test suites running
 * beside the bench revoke the shared user's token (testkit revokeSwiftToken).
 */
function swiftSession(server) {
  let current;
  const login = async () => {
    const response = await fetch(server.authUrl, { headers: { 'X-Auth-User': server.user, 'X-Auth-Key': server.key } });
    if (!response.ok) throw new Error(`Swift auth answered ${response.status}`);
    current = { token: response.headers.get('x-auth-token'), storageUrl: response.headers.get('x-storage-url') };
    return current;
  };
  return {
    async storageUrl() {
      return (current ?? (await login())).storageUrl;
    },
    async request(path, init = {}) {
      for (let attempt = 1; ; attempt++) {
        const { token, storageUrl } = current ?? (await login());
        const response = await fetch(`${storageUrl}${path}`, { ...init, headers: { ...init.headers, 'X-Auth-Token': token } });
        if (response.status !== 401 || attempt === 3) return response;
        await response.arrayBuffer();
        await login();
      }
    },
  };
}

async function listAll(session, path) {
  const names = [];
  let marker = '';
  for (;;) {
    const response = await session.request(`${path}?format=json&limit=${BULK_LIMIT}&marker=${encodeURIComponent(marker)}`);
    if (response.status === 404) return names;
    if (!response.ok) throw new Error(`Swift listing answered ${response.status}`);
    const page = await response.json();
    if (page.length === 0) return names;
    for (const entry of page) names.push(entry.name);
    marker = page[page.length - 1].name;
  }
}

async function bulkDelete(session, paths) {
  for (let i = 0; i < paths.length; i += BULK_LIMIT) {
    const body = paths.slice(i, i + BULK_LIMIT).map((p) => p.split('/').map(encodeURIComponent).join('/')).join('\n');
    const response = await session.request('?bulk-delete', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Accept: 'application/json' },
      body,
    });
    if (!response.ok) throw new Error(`Swift bulk delete answered ${response.status}`);
    await response.json();
  }
}

/** Deletes every container whose name starts with `prefix` (except those `keep` names), objects first. */
export async function deleteSwiftContainers(server, prefix, keep = () => false) {
  const session = swiftSession(server);
  const containers = (await listAll(session, '')).filter((name) => name.startsWith(prefix) && !keep(name));
  for (const container of containers) {
    const objects = await listAll(session, `/${encodeURIComponent(container)}`);
    await bulkDelete(session, objects.map((name) => `/${container}/${name}`));
  }
  await bulkDelete(session, containers.map((name) => `/${name}`));
  return containers.length;
}
