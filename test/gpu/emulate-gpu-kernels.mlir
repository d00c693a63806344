// RUN: attn-opt %s --attn-emulate-gpu-kernels --split-input-file | FileCheck %s
// Without GPU kernels the pass does nothing.
// RUN: attn-opt %s --attn-emulate-gpu-kernels --split-input-file | FileCheck %s --check-prefix=NOOP

// Each kernel gets a host function running one workgroup: its arguments,
// then the block ids; one OpenMP thread per GPU thread, barriers as
// omp.barrier, MFMA and shuffles through shared buffers. The GPU module
// stays (the launcher loads its code object and metadata).
// CHECK-LABEL: gpu.module @attn_kernels
// CHECK: gpu.func @k
// CHECK-LABEL: func.func @__attn_emulated_k(
// CHECK-SAME: %[[A:.+]]: memref<64x16xf16>, %[[B:.+]]: memref<64x16xf32>, %[[BX:.+]]: index, %[[BY:.+]]: index, %[[BZ:.+]]: index)
// CHECK: %[[LDS:.+]] = memref.alloc() : memref<64x16xf16>
// CHECK: memref.alloc() : memref<256xf32>
// CHECK: memref.alloc() : memref<256x4xf16>
// CHECK: memref.alloc() : memref<256x4xf16>
// CHECK: omp.parallel num_threads(%{{.+}} : i32)
// CHECK: call @omp_get_thread_num()
// The thread id is the OpenMP thread number, the block id the argument.
// CHECK: arith.muli %[[BX]]
// CHECK: omp.barrier
// CHECK-NOT: gpu.barrier
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: amdgpu.mfma
// CHECK-NOT: amdgpu.sched_barrier
// CHECK: omp.terminator
// CHECK: memref.dealloc %[[LDS]]
// CHECK: return
// NOOP-LABEL: func.func @host_only
// NOOP-NOT: omp.parallel
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @k(%a: memref<64x16xf16>, %out: memref<64x16xf32>)
        workgroup(%lds : memref<64x16xf16, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 256, 1, 1>} {
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c16 = arith.constant 16 : index
      %c64 = arith.constant 64 : index
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %base = arith.muli %bid, %c64 : index
      %lane = arith.remui %tid, %c64 : index
      %row = arith.remui %lane, %c16 : index
      %grp = arith.divui %lane, %c16 : index
      %col = arith.muli %grp, %c4 : index
      %frag = vector.load %a[%row, %col] : memref<64x16xf16>, vector<4xf16>
      vector.store %frag, %lds[%row, %col] : memref<64x16xf16, #gpu.address_space<workgroup>>, vector<4xf16>
      gpu.barrier
      %x = vector.load %lds[%row, %col] : memref<64x16xf16, #gpu.address_space<workgroup>>, vector<4xf16>
      %zero = arith.constant dense<0.0> : vector<4xf32>
      %d = amdgpu.mfma 16x16x16 %x * %x + %zero blgp = none : vector<4xf16>, vector<4xf16>, vector<4xf32>
      amdgpu.sched_barrier allow = <valu>
      %e = vector.extract %d[0] : f32 from vector<4xf32>
      %c1i = arith.constant 1 : i32
      %c64i = arith.constant 64 : i32
      %s, %ok = gpu.shuffle xor %e, %c1i, %c64i : f32
      %r = arith.addi %base, %row : index
      memref.store %s, %out[%r, %col] : memref<64x16xf32>
      gpu.return
    }
  }
}

// -----

// MFMA 16x16x4 f32: one element per lane, so the fragments are stored as
// scalars and the emulated product runs over K = 4. The hardware exp2
// (rocdl.exp2) runs as math.exp2.
// CHECK-LABEL: func.func @__attn_emulated_f32(
// CHECK: memref.alloc() : memref<64x4xf32>
// CHECK: memref.alloc() : memref<64x4xf32>
// CHECK: omp.parallel
// CHECK: math.exp2 %{{.+}} : f32
// CHECK-NOT: rocdl.exp2
// CHECK: memref.store %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}] : memref<64x4xf32>
// CHECK: memref.store %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}] : memref<64x4xf32>
// CHECK: omp.barrier
// CHECK: scf.for %{{.+}} = %{{.+}} to %c4
// CHECK-NOT: arith.extf
// CHECK-NOT: amdgpu.mfma
// CHECK: omp.terminator
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @f32(%a: memref<64xf32>, %out: memref<64x4xf32>)
        kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %c0 = arith.constant 0 : index
      %tid = gpu.thread_id x
      %x0 = memref.load %a[%tid] : memref<64xf32>
      %x = rocdl.exp2 %x0 f32 -> f32
      %zero = arith.constant dense<0.0> : vector<4xf32>
      %d = amdgpu.mfma 16x16x4 %x * %x + %zero blgp = none : f32, f32, vector<4xf32>
      vector.store %d, %out[%tid, %c0] : memref<64x4xf32>, vector<4xf32>
      gpu.return
    }
  }
}

// -----

// A view of workgroup memory (the attention kernel's flattened LDS tiles)
// becomes a view of the per-workgroup host buffer, without the workgroup
// address space; scheduling-group barriers, like sched_barrier, only
// constrain the backend's instruction order and leave nothing to run.
// CHECK-LABEL: func.func @__attn_emulated_flat(
// CHECK: %[[TILE:.+]] = memref.alloc() : memref<16x8xf16>
// CHECK: omp.parallel
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %[[TILE]] {{\[\[}}0, 1]] : memref<16x8xf16> into memref<128xf16>
// CHECK: memref.store %{{.+}}, %[[FLAT]][%{{.+}}] : memref<128xf16>
// CHECK-NOT: rocdl.sched.group.barrier
// CHECK-NOT: amdgpu.sched_barrier
// CHECK: memref.load %[[FLAT]][%{{.+}}] : memref<128xf16>
// CHECK: omp.terminator
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @flat(%a: memref<128xf16>, %out: memref<128xf16>)
        workgroup(%tile : memref<16x8xf16, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %tid = gpu.thread_id x
      %flat = memref.collapse_shape %tile [[0, 1]] : memref<16x8xf16, #gpu.address_space<workgroup>> into memref<128xf16, #gpu.address_space<workgroup>>
      %x = memref.load %a[%tid] : memref<128xf16>
      memref.store %x, %flat[%tid] : memref<128xf16, #gpu.address_space<workgroup>>
      gpu.barrier
      rocdl.sched.group.barrier 8, 1, 0
      amdgpu.sched_barrier allow = <none>
      %y = memref.load %flat[%tid] : memref<128xf16, #gpu.address_space<workgroup>>
      memref.store %y, %out[%tid] : memref<128xf16>
      gpu.return
    }
  }
}

// -----

func.func @host_only(%a: memref<4xf32>) {
  return
}
