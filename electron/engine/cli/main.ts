import { parseArgs } from 'node:util';
import { CliError, type CliCommand, type CliContext } from './command';
import { commands } from './commands';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: shoebox <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nEvery command takes --json for machine-readable output; 'shoebox <command> --help' shows its options.\n`;
}

export async function runCli(argv: string[], io: Pick<CliContext, 'stdin' | 'stdout' | 'stderr'>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText());
    return name ? 0 : 2;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`shoebox: unknown command '${name}' (try 'shoebox --help')\n`);
    return 2;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new CliError(`${(error as Error).message.split('\n')[0]} (usage: ${command.usage})`, 2);
    }
    if (parsed.values.help === true) {
      io.stdout.write(`usage: ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    return await command.run({ ...io, positionals: parsed.positionals, values: parsed.values, json: parsed.values.json === true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`shoebox: ${message.split('\n')[0]}\n`);
    if (process.env.SHOEBOX_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
