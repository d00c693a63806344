// RUN: attn-opt %s --attn-emulate-gpu-kernels --split-input-file -verify-diagnostics

// An MFMA shape the emulation does not model is reported, not guessed at
// (32x32x4 f16 computes 2 blocks).
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @mfma_32x32x4(%a: memref<64x4xf16>, %out: memref<64x32xf32>)
        kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %c0 = arith.constant 0 : index
      %tid = gpu.thread_id x
      %x = vector.load %a[%tid, %c0] : memref<64x4xf16>, vector<4xf16>
      %zero = arith.constant dense<0.0> : vector<32xf32>
      // expected-error @+1 {{attn-emulate-gpu-kernels: only amdgpu.mfma 16x16x16, 32x32x8 (f16, bf16), 16x16x4 and 32x32x2 (f32) are emulated}}
      %d = amdgpu.mfma 32x32x4 %x * %x + %zero {blocks = 2 : i32} blgp = none : vector<4xf16>, vector<4xf16>, vector<32xf32>
      vector.store %d, %out[%tid, %c0] : memref<64x32xf32>, vector<32xf32>
      gpu.return
    }
  }
}

// -----

// A kernel without a known block size cannot be emulated.
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    // expected-error @+1 {{attn-emulate-gpu-kernels: kernel @no_size has no known block size}}
    gpu.func @no_size(%out: memref<64xf32>) kernel {
      gpu.return
    }
  }
}
