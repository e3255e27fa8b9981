/** Bad input from the user: the command line prints the message and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
