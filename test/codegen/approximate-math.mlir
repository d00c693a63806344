// RUN: attn-opt %s --split-input-file --attn-approximate-math | FileCheck %s

// f32 exp, scalar or vector, becomes plain arithmetic (range reduction,
// a polynomial, 2^n built from the exponent bits): no math.exp is left for
// the lowering to turn into libm calls.
// CHECK-LABEL: func.func @scalar_and_vector
// CHECK-NOT: math.exp
// CHECK: math.fma
// CHECK: arith.shli
// CHECK-NOT: math.exp
// CHECK: return
func.func @scalar_and_vector(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>) {
  %e = math.exp %x : f32
  %w = math.exp %v : vector<8xf32>
  return %e, %w : f32, vector<8xf32>
}

// -----

// Must not fire: other math ops stay (exp2, log, tanh, f64 exp).
// CHECK-LABEL: func.func @others
// CHECK: math.exp2
// CHECK: math.log
// CHECK: math.tanh
// CHECK: math.exp %{{.+}} : f64
func.func @others(%x: f32, %d: f64) -> (f32, f32, f32, f64) {
  %a = math.exp2 %x : f32
  %b = math.log %x : f32
  %c = math.tanh %x : f32
  %e = math.exp %d : f64
  return %a, %b, %c, %e : f32, f32, f32, f64
}
