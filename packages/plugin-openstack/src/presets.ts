/**
 * Presets fill in a service's Identity URL, version and default region; anything set in
 * the profile wins. Nothing else about these services is special.
 */
export interface Preset {
  readonly authUrl: string;
  readonly authVersion: 1 | 2 | 3;
  readonly region: string;
  readonly userDomain?: string;
}

export const PRESETS = {
  /** Rackspace Cloud Files: Identity v2.0; regions DFW, ORD, IAD, LON, HKG, SYD. */
  rackspace: { authUrl: 'https://identity.api.rackspacecloud.com/v2.0', authVersion: 2, region: 'DFW' },
  /** OVHcloud Object Storage (Swift): Keystone v3; regions GRA, SBG, BHS, DE, UK, WAW... */
  ovh: { authUrl: 'https://auth.cloud.ovh.net/v3', authVersion: 3, region: 'GRA', userDomain: 'Default' },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
