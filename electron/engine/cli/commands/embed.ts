import path from 'node:path';
import { prepareImage } from '../../clip/preprocess';
import { dot } from '../../math/vectors';
import { CliError, commonOptions, writeJson, type CliCommand } from '../command';
import { modelOptions, openModelArgument } from '../model-argument';

/** `shoebox embed`: L2-normalised CLIP embeddings of texts and images, and their cosine similarities. */
export const embedCommand: CliCommand = {
  name: 'embed',
  summary: 'embed texts (--text) and images (--image) with the model and print their cosine similarities',
  usage: 'shoebox embed [--text <t>]... [--image <file>]... [--model <dir-or-id>] [--vectors] [--json]',
  options: {
    ...commonOptions,
    ...modelOptions,
    text: { type: 'string', multiple: true },
    image: { type: 'string', multiple: true },
    vectors: { type: 'boolean', default: false },
  },
  async run(context) {
    const texts = (context.values.text as string[] | undefined) ?? [];
    const images = (context.values.image as string[] | undefined) ?? [];
    if (texts.length + images.length === 0) throw new CliError(`nothing to embed (usage: ${this.usage})`, 2);
    const model = await openModelArgument(context);
    try {
      const prepared = await Promise.all(images.map((file) => prepareImage(file, model.preprocess)));
      const [textVectors, imageVectors] = await Promise.all([model.embedTexts(texts), model.embedImages(prepared)]);
      const items = [
        ...texts.map((text, i) => ({ kind: 'text' as const, input: text, vector: textVectors[i]! })),
        ...images.map((file, i) => ({ kind: 'image' as const, input: path.resolve(file), vector: imageVectors[i]! })),
      ];
      const similarity = items.map((a) => items.map((b) => round(dot(a.vector, b.vector))));
      if (context.json) {
        writeJson(context, {
          model: model.status(),
          items: items.map(({ kind, input, vector }) => ({
            kind,
            input,
            ...(context.values.vectors === true ? { vector: Array.from(vector, round) } : {}),
          })),
          similarity,
        });
      } else {
        items.forEach((item, i) => {
          const row = similarity[i]!.map((s) => s.toFixed(3).padStart(7)).join('');
          context.stdout.write(`${row}  ${item.kind}: ${item.input}\n`);
        });
      }
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
