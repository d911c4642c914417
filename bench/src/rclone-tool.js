// rclone as its users run it: `rclone sync` (one-way, deletions follow, like a Nimbus backup)
// with remotes defined in the environment, an empty config file and default checks
// (size + modification time). The final statistics come from its JSON log.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measure } from './measure.js';

function remotesEnv(server) {
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE; // rclone's S3 backend fails with LoadCustomCABundleError when it is set
  return Object.assign(env, {
    RCLONE_CONFIG_BS3_TYPE: 's3',
    RCLONE_CONFIG_BS3_PROVIDER: 'Other',
    RCLONE_CONFIG_BS3_ENDPOINT: server.s3Endpoint,
    RCLONE_CONFIG_BS3_ACCESS_KEY_ID: server.s3AccessKeyId,
    RCLONE_CONFIG_BS3_SECRET_ACCESS_KEY: server.s3SecretAccessKey,
    RCLONE_CONFIG_BS3_REGION: server.region,
    RCLONE_CONFIG_BS3_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_BSWIFT_TYPE: 'swift',
    RCLONE_CONFIG_BSWIFT_AUTH: server.authUrl,
    RCLONE_CONFIG_BSWIFT_USER: server.user,
    RCLONE_CONFIG_BSWIFT_KEY: server.key,
  });
}

function finalStats(stderr) {
  const lines = stderr.split('\n').filter((line) => line.includes('"stats"'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]).stats;
    } catch {
      // a line cut by the stderr tail: try the one before
    }
  }
  return undefined;
}

export function createRcloneTool({ workDir, transfers, server }) {
  const env = server ? remotesEnv(server) : { ...process.env };
  const configPath = join(workDir, 'rclone.conf');
  const tuning = ['--transfers', String(transfers), '--checkers', String(transfers)];
  return {
    name: 'rclone',
    flags: `rclone sync <src> <dst> ${tuning.join(' ')} (defaults otherwise: size + modtime checks)`,
    async run(source, destination, id) {
      await writeFile(configPath, '');
      const args = ['sync', source, destination.rcloneTarget(id), ...tuning, '--config', configPath, '--stats', '24h', '--stats-log-level', 'NOTICE', '--use-json-log'];
      const result = await measure('rclone', args, { env });
      const stats = finalStats(result.stderr);
      const ok = result.exitCode === 0 && stats !== undefined;
      return {
        ...result,
        ok,
        objects: stats ? stats.transfers : NaN,
        bytes: stats ? stats.bytes : NaN,
        error: ok ? undefined : `exit ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      };
    },
  };
}
