// Entry of the `gradscope` command (built to dist/cli.js): see cli/program.ts.
import { main } from './program';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
