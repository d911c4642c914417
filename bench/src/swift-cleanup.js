// Removes the bench's containers (and S3 buckets: Swift's s3api keeps them as containers of
// the same account, with multipart parts in "<bucket>+segments") through Swift's bulk-delete
// middleware: 10,000 objects per request instead of one request each.
const BULK_LIMIT = 10_000;

async function authenticate(server) {
  const response = await fetch(server.authUrl, { headers: { 'X-Auth-User': server.user, 'X-Auth-Key': server.key } });
  if (!response.ok) throw new Error(`Swift auth answered ${response.status}`);
  return { token: response.headers.get('x-auth-token'), storageUrl: response.headers.get('x-storage-url') };
}

async function listAll(url, token) {
  const names = [];
  let marker = '';
  for (;;) {
    const response = await fetch(`${url}?format=json&limit=${BULK_LIMIT}&marker=${encodeURIComponent(marker)}`, { headers: { 'X-Auth-Token': token } });
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
    const response = await fetch(`${session.storageUrl}?bulk-delete`, {
      method: 'POST',
      headers: { 'X-Auth-Token': session.token, 'Content-Type': 'text/plain', Accept: 'application/json' },
      body,
    });
    if (!response.ok) throw new Error(`Swift bulk delete answered ${response.status}`);
    await response.json();
  }
}

/** Deletes every container whose name starts with `prefix`, objects first. */
export async function deleteSwiftContainers(server, prefix) {
  const session = await authenticate(server);
  const containers = (await listAll(session.storageUrl, session.token)).filter((name) => name.startsWith(prefix));
  for (const container of containers) {
    const objects = await listAll(`${session.storageUrl}/${encodeURIComponent(container)}`, session.token);
    await bulkDelete(session, objects.map((name) => `/${container}/${name}`));
  }
  await bulkDelete(session, containers.map((name) => `/${name}`));
  return containers.length;
}
