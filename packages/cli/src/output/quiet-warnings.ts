/**
 * Node prints process warnings on stderr. One is noise for users: the AWS SDK's notice that
 * its future releases need a newer Node (an upgrade note for us, not for the person running
 * a backup). Every other warning is still printed.
 */
export function quietKnownWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    // The SDK emits it either as its own warning type or as a plain Warning whose message starts with the name.
    if (warning.name === 'NodeVersionSupportWarning' || warning.message.startsWith('NodeVersionSupportWarning')) return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}
