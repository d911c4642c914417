import { UserError } from '@nimbus/kernel/plugin';

export type EndpointInterface = 'public' | 'internal' | 'admin';

/** One object-store endpoint of a catalog, v2 and v3 shapes brought to one form. */
export interface CatalogEndpoint {
  readonly region: string;
  readonly interface: EndpointInterface;
  readonly url: string;
}

/** Object-store endpoints of an Identity v2 catalog (`access.serviceCatalog`). */
export function endpointsFromV2(catalog: any[]): CatalogEndpoint[] {
  const out: CatalogEndpoint[] = [];
  for (const service of catalog ?? []) {
    if (service?.type !== 'object-store') continue;
    for (const e of service.endpoints ?? []) {
      const region = String(e.region ?? '');
      if (e.publicURL) out.push({ region, interface: 'public', url: e.publicURL });
      if (e.internalURL) out.push({ region, interface: 'internal', url: e.internalURL });
      if (e.adminURL) out.push({ region, interface: 'admin', url: e.adminURL });
    }
  }
  return out;
}

/** Object-store endpoints of an Identity v3 catalog (`token.catalog`). */
export function endpointsFromV3(catalog: any[]): CatalogEndpoint[] {
  const out: CatalogEndpoint[] = [];
  for (const service of catalog ?? []) {
    if (service?.type !== 'object-store') continue;
    for (const e of service.endpoints ?? []) {
      if (!e.url) continue;
      out.push({ region: String(e.region_id ?? e.region ?? ''), interface: e.interface ?? 'public', url: e.url });
    }
  }
  return out;
}

/**
 * The object-store URL for a region and interface. Without a region the first region
 * that has the interface is taken (single-region clouds need no setting).
 */
export function selectEndpoint(endpoints: readonly CatalogEndpoint[], region: string | undefined, iface: EndpointInterface): string {
  if (endpoints.length === 0) {
    throw new UserError('the Identity service lists no object-store (Swift) endpoint for this account; check the tenant/project setting');
  }
  const withInterface = endpoints.filter((e) => e.interface === iface);
  const match = region === undefined ? withInterface[0] : withInterface.find((e) => e.region === region);
  if (match) return match.url;
  const regions = [...new Set(endpoints.filter((e) => e.interface === iface).map((e) => e.region))];
  if (region !== undefined && regions.length) {
    throw new UserError(`region "${region}" has no ${iface} object-store endpoint; set region to one of: ${regions.join(', ')}`);
  }
  const interfaces = [...new Set(endpoints.map((e) => e.interface))];
  throw new UserError(`the object store has no ${iface} endpoint${region ? ` in region "${region}"` : ''}; set interface to one of: ${interfaces.join(', ')}`);
}
