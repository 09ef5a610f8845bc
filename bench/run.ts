// `npm run bench [-- <section>...] [--quick] [--json]`: medians, and ratios against baselines measured in the same run.
import os from 'node:os';
import { benchEncoders, benchPreprocess, benchTokenizer, type BenchOptions } from './clip';
import { benchIndex } from './index';
import { benchLibrary } from './library';
import { benchQuery } from './query';
import type { BenchReport } from './lib';
import { benchSearch } from './search';
import { benchWeb } from './web';

const sections: Record<string, (options: BenchOptions) => Promise<BenchReport>> = {
  tokenizer: benchTokenizer,
  preprocess: benchPreprocess,
  encoder: benchEncoders,
  index: benchIndex,
  library: benchLibrary,
  search: benchSearch,
  query: benchQuery,
  web: benchWeb,
};

const args = process.argv.slice(2);
const options: BenchOptions = { quick: args.includes('--quick') };
const json = args.includes('--json');
const chosen = args.filter((a) => !a.startsWith('--'));
const unknown = chosen.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`bench: unknown section(s) ${unknown.join(', ')}; sections: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}

console.log(`Shoebox benchmarks on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.availableParallelism()} cores), Node ${process.version}`);
const reports: BenchReport[] = [];
// With no section named, the CLIP runtime sections run (index and search are long: name them).
const defaults = ['tokenizer', 'preprocess', 'encoder'];
for (const name of chosen.length > 0 ? chosen : defaults) reports.push(await sections[name]!(options));
if (json) console.log(JSON.stringify(reports.map((r) => ({ section: r.section, rows: r.rows })), null, 2));
