import path from 'node:path';
import { CLIP_DEFAULT_PREPROCESS } from '../../clip/preprocess-config';
import { prepareImage, writeCropPng } from '../../clip/preprocess';
import { CliError, commonOptions, stringOption, writeJson, type CliCommand } from '../command';
import { openModelArgument } from '../model-argument';

/** `shoebox preprocess`: the exact pixels the image encoder sees, before normalisation, as a PNG. */
export const preprocessCommand: CliCommand = {
  name: 'preprocess',
  summary: "write the model's input crop of an image (oriented, sRGB, resized, centre-cropped) as a PNG",
  usage: 'shoebox preprocess <image> <out.png> [--model <dir-or-id>] [--data <dir>] [--json]',
  options: { ...commonOptions, model: { type: 'string' }, data: { type: 'string' } },
  async run(context) {
    const [input, output] = context.positionals;
    if (!input || !output) throw new CliError(`usage: ${this.usage}`, 2);
    const modelArg = stringOption(context, 'model');
    const config = modelArg ? (await openModelArgument(context)).preprocess : CLIP_DEFAULT_PREPROCESS;
    const image = await prepareImage(input, config);
    await writeCropPng(image, output);
    if (context.json) {
      writeJson(context, {
        input: path.resolve(input),
        output: path.resolve(output),
        size: image.size,
        sourceWidth: image.sourceWidth,
        sourceHeight: image.sourceHeight,
        format: image.format,
      });
    } else {
      context.stdout.write(`${path.resolve(output)} (${image.size}x${image.size} from ${image.sourceWidth}x${image.sourceHeight} ${image.format})\n`);
    }
    return 0;
  },
};
