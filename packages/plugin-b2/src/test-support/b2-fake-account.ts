import { MemoryLogger, type PluginContext } from '@nimbus/kernel';
import { startB2Fake, type B2Fake, type B2FakeOptions } from '@nimbus/testkit';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { b2ConfigSchema, type B2Config } from '../config.js';

/** Settings for the plugin pointed at a B2 fake (tests only): the same client code as production, another authorize URL. */
export function fakeSettings(fake: B2Fake, bucket: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { keyId: fake.keyId, applicationKey: fake.applicationKey, bucket, apiUrl: fake.url, ...extra };
}

export function fakeConfig(fake: B2Fake, bucket: string, extra: Record<string, unknown> = {}): B2Config {
  return b2ConfigSchema.parse(fakeSettings(fake, bucket, extra));
}

export function testContext(logger = new MemoryLogger(), dryRun = false): PluginContext {
  return { logger, stateDir: tmpdir(), baseDir: process.cwd(), dryRun };
}

/** A fake account holding one bucket. */
export async function fakeAccount(options: B2FakeOptions = {}): Promise<{ fake: B2Fake; bucket: string }> {
  const bucket = `nimbus-${randomUUID().slice(0, 8)}`;
  const fake = await startB2Fake({ ...options, buckets: [bucket] });
  return { fake, bucket };
}
