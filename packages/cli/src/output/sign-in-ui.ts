import { createInterface } from 'node:readline';
import type { DeviceAuthorization, SignInUi } from '@nimbus/kernel';

/** Launch the browser unless NIMBUS_BROWSER=none (tests, or a person who prefers to copy the address). */
async function launchBrowser(url: string): Promise<void> {
  if (process.env.NIMBUS_BROWSER === 'none') return;
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child.on('error', () => {});
  } catch {
    // No browser here: the address printed above is enough.
  }
}

/** One line from standard input (a terminal or a pipe); undefined when it is closed before one. */
function readLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** The sign-in steps on the terminal: every message on stderr, so stdout stays for results. */
export const terminalSignInUi: SignInUi = {
  async showAuthorizationUrl(url) {
    process.stderr.write(`Sign in and allow access in your browser. If it does not open, visit:\n${url}\n`);
    await launchBrowser(url);
  },
  showDeviceCode(device: DeviceAuthorization) {
    process.stderr.write(`On any device, open ${device.verificationUri} and enter the code ${device.userCode}\n`);
    if (device.verificationUriComplete) process.stderr.write(`Or open:\n${device.verificationUriComplete}\n`);
  },
  async readPasted(instructions) {
    process.stderr.write(`${instructions}\n`);
    return readLine();
  },
};
