// RUN: attn-opt %s --split-input-file --attn-map-linalg-to-gpu --canonicalize -verify-diagnostics | FileCheck %s

// An elementwise op: one thread per element over 256-thread workgroups
// (ceil(300 / 256) = 2), the innermost dim fastest, guarded at the end.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[A:.+]]: memref<3x100xf32>, %[[B:.+]]: memref<3x100xf16>)
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch_func @attn_kernels::@elementwise_generic_0 blocks in (%[[C2]], %{{.+}}, %{{.+}}) threads in (%[[C256]], %{{.+}}, %{{.+}}) args(%[[A]] : memref<3x100xf32>, %[[B]] : memref<3x100xf16>)
// CHECK-NOT: linalg.
// CHECK: gpu.module @attn_kernels {
// CHECK: gpu.func @elementwise_generic_0(%{{.+}}: memref<3x100xf32>, %{{.+}}: memref<3x100xf16>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: %[[BID:.+]] = gpu.block_id x
// CHECK: %[[TID:.+]] = gpu.thread_id x
// CHECK: %[[BASE:.+]] = arith.muli %[[BID]], %{{.+}} : index
// CHECK: %[[ID:.+]] = arith.addi %[[BASE]], %[[TID]] : index
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[ID]], %{{.+}} : index
// CHECK: scf.if %[[IN]]
// CHECK: %[[COL:.+]] = arith.remui %[[ID]], %{{.+}} : index
// CHECK: %[[ROW:.+]] = arith.divui %[[ID]], %{{.+}} : index
// CHECK: memref.load %{{.+}}[%[[ROW]], %[[COL]]] : memref<3x100xf32>
// CHECK: arith.truncf
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[ROW]], %[[COL]]] : memref<3x100xf16>
// CHECK: gpu.return
func.func @elementwise(%a: memref<3x100xf32>, %b: memref<3x100xf16>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<3x100xf32>) outs(%b : memref<3x100xf16>) {
  ^bb0(%x: f32, %y: f16):
    %t = arith.truncf %x : f32 to f16
    linalg.yield %t : f16
  }
  return
}

// -----

// A projection keeps its reduction as a loop inside the thread; a copy of
// dynamic size gets its grid from the runtime size. Both kernels land in
// the one kernel module.
// CHECK-LABEL: func.func @projection
// CHECK: gpu.launch_func @attn_kernels::@projection_matmul_0 blocks in (%{{.+}}, %{{.+}}, %{{.+}}) threads in (%{{.+}}, %{{.+}}, %{{.+}}) args(
// CHECK: %[[N:.+]] = memref.dim %arg3
// CHECK: %[[BLOCKS:.+]] = arith.ceildivui %[[N]], %{{.+}} : index
// CHECK: gpu.launch_func @attn_kernels::@projection_copy_1 blocks in (%[[BLOCKS]], %{{.+}}, %{{.+}}) threads in
// CHECK: gpu.module @attn_kernels
// CHECK: gpu.func @projection_matmul_0
// CHECK: scf.if
// CHECK: scf.for
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: gpu.func @projection_copy_1(%{{.+}}: memref<?xf32>, %{{.+}}: memref<?xf32>)
// CHECK: memref.dim
func.func @projection(%x: memref<64x32xf32>, %w: memref<32x16xf32>, %y: memref<64x16xf32>, %src: memref<?xf32>, %dst: memref<?xf32>) {
  linalg.matmul ins(%x, %w : memref<64x32xf32>, memref<32x16xf32>) outs(%y : memref<64x16xf32>)
  memref.copy %src, %dst : memref<?xf32> to memref<?xf32>
  return
}

// -----

// Must not fire: nothing to map, no kernel module is made; ops already in
// kernels are left alone.
// CHECK-LABEL: func.func @host_only
// CHECK-NOT: gpu.launch_func
// CHECK-NOT: gpu.module
func.func @host_only(%a: memref<4xf32>) -> memref<4xf32> {
  return %a : memref<4xf32>
}

// -----

// CHECK-LABEL: gpu.module @attn_kernels
// CHECK: gpu.func @k
// CHECK: linalg.fill
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @k(%a: memref<4xf32>) kernel {
      %c = arith.constant 0.0 : f32
      linalg.fill ins(%c : f32) outs(%a : memref<4xf32>)
      gpu.return
    }
  }
}

// -----

// Tensor ops must be bufferized first.
func.func @tensor_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant 0.0 : f32
  // expected-error @+1 {{attn-map-linalg-to-gpu: expected a bufferized op}}
  %r = linalg.fill ins(%c : f32) outs(%a : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
