import { createInterface } from 'node:readline';
import { ClipTokenizer } from '../../clip/tokenizer';
import { commonOptions, writeJson, type CliCommand } from '../command';

/** `shoebox tokenize`: CLIP token ids (with start/end tokens, untruncated) for each line of standard input. */
export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: 'print the CLIP token ids of each line read from standard input',
  usage: 'shoebox tokenize [--json] < lines.txt',
  options: { ...commonOptions },
  async run(context) {
    const tokenizer = await ClipTokenizer.load();
    const lines = createInterface({ input: context.stdin, crlfDelay: Infinity });
    if (!context.json) {
      // Streams: one JSON array per input line, so huge inputs never sit in memory.
      for await (const line of lines) context.stdout.write(`${JSON.stringify(tokenizer.encode(line))}\n`);
      return 0;
    }
    const rows: { text: string; ids: number[] }[] = [];
    for await (const line of lines) rows.push({ text: line, ids: tokenizer.encode(line) });
    writeJson(context, rows);
    return 0;
  },
};
