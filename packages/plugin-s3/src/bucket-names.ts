/**
 * Amazon S3 bucket naming rules, as the seed manual states them: the strict rules that
 * apply everywhere (and that DNS-style addressing needs), and the relaxed legacy rules
 * that buckets in the US Standard location (us-east-1) were once allowed to follow.
 * Each rule has a stable id (tests, logs) and the sentence the user sees when it is broken.
 */
export interface BucketNameRule {
  readonly id: string;
  /** What the rule demands, phrased to follow "the bucket name ...". */
  readonly requirement: string;
  isBrokenBy(name: string): boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const byteLength = (name: string) => Buffer.byteLength(name, 'utf8');

export const STRICT_BUCKET_NAME_RULES: readonly BucketNameRule[] = [
  { id: 'length', requirement: 'must be 3 to 63 bytes long', isBrokenBy: (n) => byteLength(n) < 3 || byteLength(n) > 63 },
  {
    id: 'characters',
    requirement: 'may only contain lowercase letters, numbers, periods (.) and dashes (-)',
    isBrokenBy: (n) => !/^[a-z0-9.-]*$/.test(n),
  },
  { id: 'start', requirement: 'must start with a lowercase letter or a number', isBrokenBy: (n) => !/^[a-z0-9]/.test(n) },
  { id: 'end', requirement: 'must end with a lowercase letter or a number', isBrokenBy: (n) => !/[a-z0-9]$/.test(n) },
  { id: 'consecutive-periods', requirement: 'must not contain two periods in a row (..)', isBrokenBy: (n) => n.includes('..') },
  {
    id: 'dash-next-to-period',
    requirement: 'must not have a dash next to a period (.- or -.)',
    isBrokenBy: (n) => n.includes('.-') || n.includes('-.'),
  },
  { id: 'ip-address', requirement: 'must not be formatted as an IP address (like 192.168.5.4)', isBrokenBy: (n) => IPV4.test(n) },
];

export const LEGACY_BUCKET_NAME_RULES: readonly BucketNameRule[] = [
  { id: 'legacy-length', requirement: 'must be 3 to 255 bytes long', isBrokenBy: (n) => byteLength(n) < 3 || byteLength(n) > 255 },
  {
    id: 'legacy-characters',
    requirement: 'may only contain letters, numbers, periods (.), dashes (-) and underscores (_)',
    isBrokenBy: (n) => !/^[A-Za-z0-9._-]*$/.test(n),
  },
];

/** The first rule of `rules` that `name` breaks. */
export function brokenBucketNameRule(name: string, rules: readonly BucketNameRule[]): BucketNameRule | undefined {
  return rules.find((rule) => rule.isBrokenBy(name));
}

/** The region whose buckets may follow the legacy rules ("US Standard"). */
export const US_STANDARD_REGION = 'us-east-1';

export function isUsStandard(location: string | undefined): boolean {
  return location === undefined || location === '' || location === US_STANDARD_REGION || location === 'US';
}

/**
 * Check a bucket name: the strict rules, or, for US Standard buckets, the legacy relaxed
 * rules. Returns undefined when the name is valid, else one sentence naming the rule broken.
 */
export function checkBucketName(name: string, options: { legacyAllowed: boolean }): string | undefined {
  if (options.legacyAllowed) {
    const legacy = brokenBucketNameRule(name, LEGACY_BUCKET_NAME_RULES);
    return legacy && `bucket name "${name}" ${legacy.requirement} (S3 legacy US Standard naming rule "${legacy.id}")`;
  }
  const strict = brokenBucketNameRule(name, STRICT_BUCKET_NAME_RULES);
  return strict && `bucket name "${name}" ${strict.requirement} (S3 bucket naming rule "${strict.id}")`;
}

/** A name valid only under the legacy rules: it cannot be used in a DNS host name. */
export function isLegacyOnlyBucketName(name: string): boolean {
  return brokenBucketNameRule(name, STRICT_BUCKET_NAME_RULES) !== undefined && brokenBucketNameRule(name, LEGACY_BUCKET_NAME_RULES) === undefined;
}

/** The strict rules as the kernel's BucketNameValidator. */
export const validateStrictBucketName = (name: string): string | undefined => checkBucketName(name, { legacyAllowed: false });

/** Strict rules, or legacy ones for US Standard buckets, as the kernel's BucketNameValidator. */
export const validateUsStandardBucketName = (name: string): string | undefined => checkBucketName(name, { legacyAllowed: true });
