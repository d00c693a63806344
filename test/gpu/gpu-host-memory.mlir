// RUN: attn-opt %s --split-input-file --attn-gpu-host-memory -verify-diagnostics | FileCheck %s

// Arguments and constants get device copies at entry; allocations become
// device allocations; the argument a kernel writes is copied back, the one
// it only reads is not; the returned buffer goes to a fresh host buffer;
// every device buffer is freed before returning.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[IN:.+]]: memref<4x8xf32>, %[[INOUT:.+]]: memref<32xf32>) -> memref<4x8xf32>
// CHECK: %[[DIN:.+]] = gpu.alloc () : memref<4x8xf32>
// CHECK: gpu.memcpy %[[DIN]], %[[IN]]
// CHECK: %[[DINOUT:.+]] = gpu.alloc () : memref<32xf32>
// CHECK: gpu.memcpy %[[DINOUT]], %[[INOUT]]
// CHECK: %[[G:.+]] = memref.get_global @table
// CHECK: %[[DG:.+]] = gpu.alloc () : memref<8xf32>
// CHECK: gpu.memcpy %[[DG]], %[[G]]
// CHECK: %[[TMP:.+]] = gpu.alloc () : memref<4x8xf32>
// CHECK-NOT: memref.alloc
// CHECK: %[[VIEW:.+]] = memref.expand_shape %[[DINOUT]]
// CHECK: gpu.launch_func @kernels::@scale {{.*}} args(%[[DIN]] : memref<4x8xf32>, %[[DG]] : memref<8xf32>, %[[TMP]] : memref<4x8xf32>, %[[VIEW]] : memref<4x8xf32>)
// CHECK-NOT: memref.dealloc
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<4x8xf32>
// CHECK: gpu.memcpy %[[OUT]], %[[TMP]]
// CHECK-NOT: gpu.memcpy %[[IN]]
// CHECK: gpu.memcpy %[[INOUT]], %[[DINOUT]]
// CHECK-NOT: gpu.memcpy %[[IN]]
// CHECK-DAG: gpu.dealloc %[[DIN]]
// CHECK-DAG: gpu.dealloc %[[DINOUT]]
// CHECK-DAG: gpu.dealloc %[[DG]]
// CHECK-DAG: gpu.dealloc %[[TMP]]
// CHECK: return %[[OUT]]
module attributes {gpu.container_module} {
  memref.global "private" constant @table : memref<8xf32> = dense<1.0>
  gpu.module @kernels {
    gpu.func @scale(%in: memref<4x8xf32>, %t: memref<8xf32>, %out: memref<4x8xf32>, %inout: memref<4x8xf32>) kernel {
      %i = gpu.thread_id x
      %j = gpu.thread_id y
      %x = memref.load %in[%i, %j] : memref<4x8xf32>
      %s = memref.load %t[%j] : memref<8xf32>
      %y = arith.mulf %x, %s : f32
      memref.store %y, %out[%i, %j] : memref<4x8xf32>
      memref.store %y, %inout[%i, %j] : memref<4x8xf32>
      gpu.return
    }
  }
  func.func @main(%in: memref<4x8xf32>, %inout: memref<32xf32>) -> memref<4x8xf32> {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c8 = arith.constant 8 : index
    %g = memref.get_global @table : memref<8xf32>
    %tmp = memref.alloc() : memref<4x8xf32>
    %view = memref.expand_shape %inout [[0, 1]] output_shape [4, 8] : memref<32xf32> into memref<4x8xf32>
    gpu.launch_func @kernels::@scale blocks in (%c1, %c1, %c1) threads in (%c4, %c8, %c1) args(%in : memref<4x8xf32>, %g : memref<8xf32>, %tmp : memref<4x8xf32>, %view : memref<4x8xf32>)
    memref.dealloc %tmp : memref<4x8xf32>
    return %tmp : memref<4x8xf32>
  }
}

// -----

// Dynamic sizes come from the host buffer.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[N:.+]] = memref.dim %arg0, %{{.+}} : memref<?xf32>
// CHECK: %[[D:.+]] = gpu.alloc (%[[N]]) : memref<?xf32>
// CHECK: gpu.memcpy %[[D]], %arg0
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<?xf32>) kernel {
      gpu.return
    }
  }
  func.func @dynamic(%a: memref<?xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?xf32>)
    return
  }
}

// -----

// Must not fire: a function without launches is left alone.
// CHECK-LABEL: func.func @no_launch
// CHECK-NOT: gpu.
// CHECK: memref.alloc
// CHECK-NOT: gpu.
// CHECK: memref.store
// CHECK-NOT: gpu.
// CHECK: return
func.func @no_launch(%x: f32) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<4xf32>
  memref.store %x, %a[%c0] : memref<4xf32>
  return %a : memref<4xf32>
}

// -----

// Host code may not touch a buffer that lives on the GPU.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @host_read(%a: memref<4xf32>) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    // expected-error @+1 {{attn-gpu-host-memory: host code uses a buffer that lives on the GPU}}
    %x = memref.load %a[%c0] : memref<4xf32>
    return %x : f32
  }
}

// -----

// Kernel operands must trace back to buffers the pass can place.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @from_call(%c: i1) {
    %c1 = arith.constant 1 : index
    %a = scf.if %c -> memref<4xf32> {
      %x = memref.alloc() : memref<4xf32>
      scf.yield %x : memref<4xf32>
    } else {
      %y = memref.alloc() : memref<4xf32>
      scf.yield %y : memref<4xf32>
    }
    // expected-error @+1 {{attn-gpu-host-memory: kernel operand 0 is not a function argument, constant or allocation of the function's entry block}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}
