;; The search index's scan kernels: WebAssembly SIMD over a shared memory (worker threads scan beside the main one).
;; Compiled by scripts/build-wasm.mjs; the layouts are described in fastscan-wasm.ts, and each kernel is tested
;; against a plain JS reference (test/engine/search/index/fastscan-wasm.test.ts).
(module
  ;; Shared, with wasm32's whole address space as its maximum: only reserved (virtual), committed as it grows.
  (import "env" "memory" (memory 1 65536 shared))

  ;; scan(codes, blocks, lut, out, bytesPerVector, blockStride): 16 u16 sums per block of 16 vectors at out + b*32,
  ;; even vectors first. Blocks are taken two at a time (blocks must be even), so each table is loaded once per 32
  ;; vectors. Each swizzle result is added to 8 u16 lanes that hold two vectors each (even in the low byte, odd in
  ;; the high byte) and, shifted right by 8, to a second sum holding the odd ones: even = first - 256 * odd.
  (func (export "scan")
    (param $codes i32) (param $blocks i32) (param $lut i32) (param $out i32) (param $bytesPerVector i32) (param $stride i32)
    (local $end i32) (local $l i32) (local $skip i32)
    (local $mask v128) (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128)
    (local $v v128) (local $r v128) (local $lo v128) (local $hi v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    ;; After a pair's scanned bytes, skip to the next pair: 2 * stride - bytesPerVector * 16.
    (local.set $skip (i32.sub (i32.mul (local.get $stride) (i32.const 2)) (i32.mul (local.get $bytesPerVector) (i32.const 16))))
    (block $done
      (br_if $done (i32.eqz (local.get $blocks)))
      (loop $pairs
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $b0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $b1 (v128.const i64x2 0 0))
        (local.set $end (i32.add (local.get $codes) (i32.mul (local.get $bytesPerVector) (i32.const 16))))
        (local.set $l (local.get $lut))
        (loop $bytes
          ;; This code byte's two tables: low nibbles, then high nibbles.
          (local.set $lo (v128.load (local.get $l)))
          (local.set $hi (v128.load offset=16 (local.get $l)))
          ;; First block of the pair: r = lo[v & 15] + hi[v >> 4]; a0 += r; b0 += r >> 8.
          (local.set $v (v128.load (local.get $codes)))
          (local.set $r
            (i8x16.add
              (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $mask)))
              (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $mask)))))
          (local.set $a0 (i16x8.add (local.get $r) (local.get $a0)))
          (local.set $b0 (i16x8.add (i16x8.shr_u (local.get $r) (i32.const 8)) (local.get $b0)))
          ;; Second block of the pair, one stride further.
          (local.set $v (v128.load (i32.add (local.get $codes) (local.get $stride))))
          (local.set $r
            (i8x16.add
              (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $mask)))
              (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $mask)))))
          (local.set $a1 (i16x8.add (local.get $r) (local.get $a1)))
          (local.set $b1 (i16x8.add (i16x8.shr_u (local.get $r) (i32.const 8)) (local.get $b1)))
          (local.set $l (i32.add (local.get $l) (i32.const 32)))
          (br_if $bytes (i32.ne (local.tee $codes (i32.add (local.get $codes) (i32.const 16))) (local.get $end))))
        ;; The pair's 32 sums: even vectors (first - 256 * odd), then odd ones, per block.
        (v128.store (local.get $out) (i16x8.sub (local.get $a0) (i16x8.shl (local.get $b0) (i32.const 8))))
        (v128.store offset=16 (local.get $out) (local.get $b0))
        (v128.store offset=32 (local.get $out) (i16x8.sub (local.get $a1) (i16x8.shl (local.get $b1) (i32.const 8))))
        (v128.store offset=48 (local.get $out) (local.get $b1))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        ;; Past the second block, already scanned.
        (local.set $codes (i32.add (local.get $codes) (local.get $skip)))
        (br_if $pairs (local.tee $blocks (i32.sub (local.get $blocks) (i32.const 2)))))))

  ;; select(out, factors, lanes, firstSlot, scale, bias, threshold, dest, allowed, scratch) -> count: estimates
  ;; factor * (scale * sum + bias) for `lanes` vectors (a multiple of 16) from scan's sums, and (slot i32,
  ;; estimate f32) pairs at dest for those above threshold. A NaN factor (an empty slot) never passes; with
  ;; allowed != 0 only slots whose bit is set in the bitmap there pass. Four lanes at a time; only a block with an
  ;; estimate above the threshold is looked at lane by lane, through 64 bytes at scratch.
  (func (export "select")
    (param $out i32) (param $factors i32) (param $lanes i32) (param $first i32)
    (param $scale f32) (param $bias f32) (param $threshold f32)
    (param $dest i32) (param $allowed i32) (param $scratch i32) (result i32)
    (local $end i32) (local $count i32) (local $bits i32) (local $lane i32) (local $slot i32)
    (local $scales v128) (local $biases v128) (local $thresholds v128) (local $even v128) (local $odd v128)
    (local $low v128) (local $high v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local.set $scales (f32x4.splat (local.get $scale)))
    (local.set $biases (f32x4.splat (local.get $bias)))
    (local.set $thresholds (f32x4.splat (local.get $threshold)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $lanes) (i32.const 1))))
    (local.set $factors (i32.add (local.get $factors) (i32.shl (local.get $first) (i32.const 2))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $even (v128.load (local.get $out)))
        (local.set $odd (v128.load offset=16 (local.get $out)))
        ;; Back into slot order (even vectors' sums come first in a block, odd ones next), to match the factors.
        (local.set $low (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $even) (local.get $odd)))
        (local.set $high (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $even) (local.get $odd)))
        ;; Factors are 4-byte aligned only.
        (local.set $e0 (f32x4.mul (v128.load align=4 (local.get $factors))
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $low))) (local.get $scales)) (local.get $biases))))
        (local.set $e1 (f32x4.mul (v128.load offset=16 align=4 (local.get $factors))
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $low))) (local.get $scales)) (local.get $biases))))
        (local.set $e2 (f32x4.mul (v128.load offset=32 align=4 (local.get $factors))
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $high))) (local.get $scales)) (local.get $biases))))
        (local.set $e3 (f32x4.mul (v128.load offset=48 align=4 (local.get $factors))
          (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $high))) (local.get $scales)) (local.get $biases))))
        ;; Bit 4k + j: lane j of e_k beats the threshold.
        (if (local.tee $bits
              (i32.or
                (i32.or
                  (i32.or
                    (i32x4.bitmask (f32x4.gt (local.get $e0) (local.get $thresholds)))
                    (i32.shl (i32x4.bitmask (f32x4.gt (local.get $e1) (local.get $thresholds))) (i32.const 4)))
                  (i32.shl (i32x4.bitmask (f32x4.gt (local.get $e2) (local.get $thresholds))) (i32.const 8)))
                (i32.shl (i32x4.bitmask (f32x4.gt (local.get $e3) (local.get $thresholds))) (i32.const 12))))
          (then
            (v128.store (local.get $scratch) (local.get $e0))
            (v128.store offset=16 (local.get $scratch) (local.get $e1))
            (v128.store offset=32 (local.get $scratch) (local.get $e2))
            (v128.store offset=48 (local.get $scratch) (local.get $e3))
            (loop $passing
              (local.set $lane (i32.ctz (local.get $bits)))
              (local.set $slot (i32.add (local.get $first) (local.get $lane)))
              ;; allowed == 0, or bit `slot` of the bitmap at `allowed` is set.
              (if (i32.or
                    (i32.eqz (local.get $allowed))
                    (i32.and
                      (i32.shr_u
                        (i32.load8_u (i32.add (local.get $allowed) (i32.shr_u (local.get $slot) (i32.const 3))))
                        (i32.and (local.get $slot) (i32.const 7)))
                      (i32.const 1)))
                (then
                  (i32.store (i32.add (local.get $dest) (i32.shl (local.get $count) (i32.const 3))) (local.get $slot))
                  (f32.store offset=4 (i32.add (local.get $dest) (i32.shl (local.get $count) (i32.const 3)))
                    (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $lane) (i32.const 2)))))
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))))
              (br_if $passing (local.tee $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))))))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (local.set $factors (i32.add (local.get $factors) (i32.const 64)))
        (local.set $first (i32.add (local.get $first) (i32.const 16)))
        (br $blocks)))
    (local.get $count))

  ;; refine(rows, rowBytes, slots, count, tables, out): for each of count slots (i32 at slots), the sum over the
  ;; bytes of its row (rowBytes, even, at rows + slot * rowBytes) of tables[256 * p + byte p] (f32 tables, 1 KiB per
  ;; byte position), as f32 at out: the low plane's term of the split layout's 2-bit estimates.
  (func (export "refine")
    (param $rows i32) (param $rowBytes i32) (param $slots i32) (param $count i32) (param $tables i32) (param $out i32)
    (local $i i32) (local $row i32) (local $end i32) (local $table i32)
    ;; Two sums, for even and odd bytes, so that the adds do not wait on each other.
    (local $sum f32) (local $odd f32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $end
          (i32.add
            (local.tee $row
              (i32.add (local.get $rows)
                (i32.mul (i32.load (i32.add (local.get $slots) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
            (local.get $rowBytes)))
        (local.set $table (local.get $tables))
        (local.set $sum (f32.const 0))
        (local.set $odd (f32.const 0))
        (loop $bytes
          (local.set $sum (f32.add (local.get $sum)
            (f32.load (i32.add (local.get $table) (i32.shl (i32.load8_u (local.get $row)) (i32.const 2))))))
          (local.set $odd (f32.add (local.get $odd)
            (f32.load offset=1024 (i32.add (local.get $table) (i32.shl (i32.load8_u offset=1 (local.get $row)) (i32.const 2))))))
          (local.set $table (i32.add (local.get $table) (i32.const 2048)))
          (br_if $bytes (i32.ne (local.tee $row (i32.add (local.get $row) (i32.const 2))) (local.get $end))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (f32.add (local.get $sum) (local.get $odd)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))
)
