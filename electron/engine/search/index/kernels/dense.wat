;; Dot products of one query against many float32 rows (see dense-wasm.ts). Compiled by scripts/build-wasm.mjs;
;; tested against a float64 dot product (test/engine/search/dense-wasm.test.ts).
(module
  (import "env" "memory" (memory 1))

  ;; dots(rows, count, strideBytes, query, out): out[r] = sum of query[i] * row_r[i] as f32, for r < count
  ;; (count >= 1). Rows are strideBytes apart, a multiple of 64 (zero-padded): 16 floats per step, in four
  ;; independent f32x4 sums, and no tail loop.
  (func (export "dots")
    (param $rows i32) (param $count i32) (param $stride i32) (param $query i32) (param $out i32)
    (local $end i32) (local $q i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (loop $each
      (local.set $a0 (v128.const i64x2 0 0))
      (local.set $a1 (v128.const i64x2 0 0))
      (local.set $a2 (v128.const i64x2 0 0))
      (local.set $a3 (v128.const i64x2 0 0))
      (local.set $end (i32.add (local.get $rows) (local.get $stride)))
      (local.set $q (local.get $query))
      (loop $floats
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $rows)) (v128.load (local.get $q)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $rows)) (v128.load offset=16 (local.get $q)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $rows)) (v128.load offset=32 (local.get $q)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $rows)) (v128.load offset=48 (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br_if $floats (i32.ne (local.tee $rows (i32.add (local.get $rows) (i32.const 64))) (local.get $end))))
      (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
      (f32.store align=4 (local.get $out)
        (f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32x4.extract_lane 2 (local.get $a0))) (f32x4.extract_lane 3 (local.get $a0))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br_if $each (local.tee $count (i32.sub (local.get $count) (i32.const 1))))))
)
