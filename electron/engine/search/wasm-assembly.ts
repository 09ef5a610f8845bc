/*
 * Just enough of a WebAssembly binary encoder to hand-assemble the search's SIMD kernels (fastscan-wasm.ts,
 * dense-wasm.ts) without a toolchain: opcodes, LEB128 numbers and section framing.
 */

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// Instruction encodings (WebAssembly core spec, SIMD proposal as standardised).
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32GeU: 0x4f,
  i32Ctz: 0x68,
  f32Const: 0x43,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32Or: 0x72,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  f32Load: 0x2a,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  f32Store: 0x38,
  f32Gt: 0x5e,
  f32Add: 0x92,
  f32Mul: 0x94,
  f32ConvertI32U: 0xb3,
} as const;
export const simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  swizzle: 0x0e,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4Gt: 0x44,
  i32x4Bitmask: 0xa4,
  i32x4ExtendLowI16x8U: 0xa9,
  i32x4ExtendHighI16x8U: 0xaa,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  f32x4ConvertI32x4U: 0xfb,
  and: 0x4e,
  i8x16ShrU: 0x6d,
  i8x16Add: 0x6e,
  i16x8Shl: 0x8b,
  i16x8ShrU: 0x8d,
  i16x8Add: 0x8e,
  i16x8Sub: 0x91,
} as const;

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export const simdOp = (code: number): number[] => [0xfd, ...uleb(code)];
/** v128.load/store with alignment 2^4 and a constant offset. */
export const memarg = (offset: number): number[] => [4, ...uleb(offset)];

export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

