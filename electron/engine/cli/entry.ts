// The bundled `shoebox` executable (see scripts/build-cli.mjs); tests call runCli directly instead.
import { runCli } from './main';

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
