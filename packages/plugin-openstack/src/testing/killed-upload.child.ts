// Child process for the orphan-segment test: starts a segmented upload that never ends,
// and is killed (SIGKILL) by the test while segments are on the server.
import { silentLogger } from '@nimbus/kernel';
import { Readable } from 'node:stream';
import { openstackConfigSchema } from '../config.js';
import { connectOpenstack } from '../connect.js';

const config = openstackConfigSchema.parse(JSON.parse(process.argv[2]!));
const provider = await connectOpenstack(config, { dryRun: false, logger: silentLogger });
const endless = new Readable({
  read() {
    setTimeout(() => this.push(Buffer.alloc(256 * 1024, 1)), 20);
  },
});
process.stdout.write('uploading\n');
await provider.write('killed/never-finished.bin', endless);
