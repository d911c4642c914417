import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Ask for a password on the terminal without echoing it. Resolves undefined when there is no
 * terminal (an unattended run), so the kernel fails at once instead of waiting forever.
 */
export function promptPassword(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(undefined);
  let muted = false;
  // Everything typed after the question is swallowed: nothing of the password reaches the screen.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      resolve(undefined);
    });
  });
}
