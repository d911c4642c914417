/**
 * Backblaze B2 bucket naming rules, as the seed manual states them. Each rule has a stable
 * id (tests, logs) and the sentence the user sees when it is broken. Names are
 * case-insensitive: "MyPhotos" and "myphotos" are the same bucket.
 */
export interface BucketNameRule {
  readonly id: string;
  /** What the rule demands, phrased to follow "bucket name ...". */
  readonly requirement: string;
  isBrokenBy(name: string): boolean;
}

export const B2_BUCKET_NAME_RULES: readonly BucketNameRule[] = [
  { id: 'length', requirement: 'must be 6 to 50 characters long', isBrokenBy: (n) => n.length < 6 || n.length > 50 },
  {
    id: 'characters',
    requirement: 'may only contain letters, numbers (0-9) and dashes (-); no other characters, not even underscores',
    isBrokenBy: (n) => !/^[A-Za-z0-9-]*$/.test(n),
  },
  { id: 'reserved-prefix', requirement: 'must not start with "b2-" (reserved by Backblaze)', isBrokenBy: (n) => /^b2-/i.test(n) },
];

/** The most buckets one B2 account may have. */
export const MAX_BUCKETS_PER_ACCOUNT = 100;

export function brokenBucketNameRule(name: string): BucketNameRule | undefined {
  return B2_BUCKET_NAME_RULES.find((rule) => rule.isBrokenBy(name));
}

/** undefined when valid, else one sentence naming the rule broken (the kernel's BucketNameValidator). */
export function validateB2BucketName(name: string): string | undefined {
  const rule = brokenBucketNameRule(name);
  return rule && `bucket name "${name}" ${rule.requirement} (B2 bucket naming rule "${rule.id}")`;
}

/** B2 bucket names are case-insensitive. */
export function sameBucketName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
