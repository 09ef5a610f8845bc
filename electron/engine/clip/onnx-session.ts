import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/** What the user asked for: `auto` uses CUDA when it works here, else the CPU. */
export type ProviderPreference = 'auto' | 'cpu' | 'cuda';
export type EffectiveProvider = 'cpu' | 'cuda';

export interface RuntimeOptions {
  provider?: ProviderPreference;
  /** Threads inside one operator. Default: every core the OS gives this process. */
  intraOpThreads?: number;
  /** Threads across independent operators; CLIP graphs are sequential, so 1 unless measured otherwise. */
  interOpThreads?: number;
  cudaDeviceId?: number;
  /**
   * Let onnxruntime keep pre-packed copies of the weights. Off by default here: on the ViT-B/32 image tower it costs
   * hundreds of MB of resident memory for no measurable speed (see `npm run bench -- encoder`). ClipModel turns it
   * on for the text tower, where one short query would otherwise pay for packing every weight.
   */
  prepackWeights?: boolean;
  /**
   * Let idle intra-op threads spin while waiting for work during a run (onnxruntime's default; they stop when the
   * run ends). Spinning lowers latency when the model has the CPU to itself; while indexing, decoding runs beside
   * it and spinning threads take its cores.
   */
  spinWait?: boolean;
}

export interface SessionInfo {
  provider: EffectiveProvider;
  /** Why the session is not on the provider that was asked for (absent when it is). */
  fallbackReason?: string;
  intraOpThreads: number;
  interOpThreads: number;
}

export interface LoadedSession extends SessionInfo {
  session: ort.InferenceSession;
}

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

/** Where onnxruntime-node's install script puts the CUDA provider when it could download it. */
function cudaProviderLibrary(): string | null {
  if (process.platform !== 'linux' && process.platform !== 'win32') return null;
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return path.join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, file);
}

/** Whether a CUDA session can even be attempted, and if not, the sentence that says why. */
export function cudaAvailability(): { available: true } | { available: false; reason: string } {
  const library = cudaProviderLibrary();
  if (library === null) return { available: false, reason: `CUDA is not supported by onnxruntime-node on ${process.platform}` };
  if (!existsSync(library)) {
    return {
      available: false,
      reason:
        'the CUDA execution provider is not installed (onnxruntime-node could not download it at install time; ' +
        'see README "GPU (CUDA)")',
    };
  }
  return { available: true };
}

function sessionOptions(
  provider: EffectiveProvider,
  options: RuntimeOptions,
): { opts: ort.InferenceSession.SessionOptions; intra: number; inter: number } {
  const intra = options.intraOpThreads ?? Math.max(1, os.availableParallelism());
  const inter = options.interOpThreads ?? 1;
  const executionProviders: ort.InferenceSession.ExecutionProviderConfig[] =
    provider === 'cuda' ? [{ name: 'cuda', deviceId: options.cudaDeviceId ?? 0 }] : ['cpu'];
  return {
    opts: {
      executionProviders,
      graphOptimizationLevel: 'all',
      intraOpNumThreads: intra,
      interOpNumThreads: inter,
      executionMode: 'sequential',
      enableCpuMemArena: true,
      enableMemPattern: true,
      extra: {
        session: {
          ...(options.prepackWeights ? {} : { disable_prepacking: '1' }),
          // Spinning helps inside a run (operators hand work to the pool thousands of times); after it, spinning
          // threads would only take the cores from what comes next: a search's scan, or decoding while indexing.
          ...(options.spinWait === false ? { intra_op: { allow_spinning: '0' } } : { force_spinning_stop: '1' }),
        },
      },
    },
    intra,
    inter,
  };
}

async function createOn(file: string, provider: EffectiveProvider, options: RuntimeOptions): Promise<LoadedSession> {
  const { opts, intra, inter } = sessionOptions(provider, options);
  const session = await ort.InferenceSession.create(file, opts);
  return { session, provider, intraOpThreads: intra, interOpThreads: inter };
}

/**
 * Opens an ONNX graph on the preferred provider. CUDA is tried when asked for (or on `auto`) and installed; any
 * failure falls back to the CPU with the reason kept, so the UI can say why the GPU is not in use.
 */
export async function openSession(file: string, options: RuntimeOptions = {}): Promise<LoadedSession> {
  if (!existsSync(file)) throw new ModelLoadError(`model file not found: ${file}`);
  const preference = options.provider ?? 'auto';
  let fallbackReason: string | undefined;
  if (preference !== 'cpu') {
    const cuda = cudaAvailability();
    if (cuda.available) {
      try {
        return await createOn(file, 'cuda', options);
      } catch (error) {
        fallbackReason = `CUDA session failed: ${firstLine(error)}`;
      }
    } else if (preference === 'cuda') {
      fallbackReason = cuda.reason;
    }
  }
  try {
    const loaded = await createOn(file, 'cpu', options);
    return fallbackReason ? { ...loaded, fallbackReason } : loaded;
  } catch (error) {
    throw new ModelLoadError(`cannot load ${path.basename(file)} as an ONNX model: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
