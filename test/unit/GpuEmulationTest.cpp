//===- GpuEmulationTest.cpp - GPU semantics of the emulation, in isolation ===//
//
// Small kernels written at the gpu-dialect level go through the same path
// as attn-run --device=rocm-sim (code object, launcher, kernarg packing,
// emulated workgroups) and are checked against plain C++:
// - amdgpu.mfma 16x16x16, 32x32x8 (f16, bf16), 16x16x4 and 32x32x2 (f32),
//   the variants the attention kernel uses, on random fragments, against a
//   plain matrix multiply with the operands laid out across lanes as AMD
//   documents (CDNA3 ISA guide, MFMA section; AMD matrix instruction
//   calculator), tile T = M = N, G = 64 / T lane groups, E = K / G
//   elements per lane:
//     A[m][k] in lane m + T * (k / E), element k % E
//     B[k][n] in lane n + T * (k / E), element k % E
//     C/D[m][n] in lane n + T * ((m / 4) % G), element
//               4 * (m / (4 * G)) + m % 4
// - gpu.barrier with workgroup memory, per workgroup;
// - gpu.shuffle xor within a wave of 64.
//
//===----------------------------------------------------------------------===//

#include "codegen/Compiler.h"
#include "dialect/AttnDialect.h"
#include "runtime/JitSession.h"
#include "runtime/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

using namespace attn::runtime;

namespace {

/// Compiles `source` for the emulation and runs @main on `inputs`.
std::vector<HostArray> runEmulated(const std::string &source,
                                   const std::vector<HostArray> &inputs) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::attn::AttnDialect>();
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  REQUIRE(module);
  mlir::attn::CompileOptions options;
  options.target = mlir::attn::CompileTarget::RocmSim;
  std::string error;
  EntrySignature sig;
  REQUIRE(getEntrySignature(module->lookupSymbol<mlir::func::FuncOp>("main"),
                            sig, error));
  REQUIRE(mlir::succeeded(
      mlir::attn::compileModule(*module, "main", options, error)));
  JitOptions jit;
  jit.gpu = GpuExecution::Emulated;
  auto compiled = JitSession::create(*module, "main", sig, jit, error);
  INFO(error);
  REQUIRE(compiled);
  std::vector<HostArray> outputs;
  REQUIRE(compiled->run(inputs, outputs, error));
  return outputs;
}

HostArray randomArray(DType dtype, std::vector<int64_t> shape,
                      std::mt19937 &rng) {
  HostArray array = HostArray::zeros(dtype, std::move(shape));
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (int64_t i = 0; i < array.numElements(); ++i)
    setFromDouble(array, i, dist(rng));
  return array;
}

/// One MFMA `shape` (16x16x16, 32x32x8 on f16/bf16 `t`; 16x16x4, 32x32x2
/// on f32, one element per lane) of tile `tile`: lane l gives A and B its
/// `perLane` elements, C and D their tile * tile / 64.
std::string mfmaProgram(const std::string &t, const std::string &shape,
                        int tile) {
  bool scalar = t == "f32";
  std::string e = std::to_string(tile * tile / 64);
  std::string acc = "memref<64x" + e + "xf32>",
              tacc = "tensor<64x" + e + "xf32>", vacc = "vector<" + e + "xf32>";
  std::string in = scalar ? "memref<64xf32>" : "memref<64x4x" + t + ">";
  std::string tin = scalar ? "tensor<64xf32>" : "tensor<64x4x" + t + ">";
  std::string vin = scalar ? "f32" : "vector<4x" + t + ">";
  std::string load = scalar ? "memref.load %a[%l] : " + in
                            : "vector.load %a[%l, %c0] : " + in + ", " + vin;
  std::string loadB = load;
  loadB.replace(loadB.find("%a"), 2, "%b");
  return R"(
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @mfma(%a: )" +
         in + ", %b: " + in + ", %c: " + acc + ", %d: " + acc + R"()
        kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %c0 = arith.constant 0 : index
      %l = gpu.thread_id x
      %av = )" +
         load + R"(
      %bv = )" +
         loadB + R"(
      %cv = vector.load %c[%l, %c0] : )" +
         acc + ", " + vacc + R"(
      %dv = amdgpu.mfma )" +
         shape + " %av * %bv + %cv blgp = none : " + vin + ", " + vin + ", " +
         vacc + R"(
      vector.store %dv, %d[%l, %c0] : )" +
         acc + ", " + vacc + R"(
      gpu.return
    }
  }
  func.func @main(%ta: )" +
         tin + ", %tb: " + tin + ", %tc: " + tacc + ") -> " + tacc + R"( {
    %a = bufferization.to_buffer %ta read_only : )" +
         tin + " to " + in + R"(
    %b = bufferization.to_buffer %tb read_only : )" +
         tin + " to " + in + R"(
    %c = bufferization.to_buffer %tc read_only : )" +
         tacc + " to " + acc + R"(
    %d = memref.alloc() : )" +
         acc + R"(
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    gpu.launch_func @attn_kernels::@mfma blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1)
        args(%a : )" +
         in + ", %b : " + in + ", %c : " + acc + ", %d : " + acc + R"()
    %r = bufferization.to_tensor %d restrict writable : )" +
         acc + " to " + tacc + R"(
    return %r : )" +
         tacc + R"(
  }
}
)";
}

/// The largest difference between the emulated MFMA `shape` (tile x tile
/// x k) on random fragments of `dtype` and a plain matrix multiply, with
/// the operands laid out across lanes as AMD documents (see the file
/// comment).
double mfmaError(DType dtype, const std::string &t, const std::string &shape,
                 int tile, int k) {
  int groups = 64 / tile, perLane = k / groups, elems = tile * tile / 64;
  std::mt19937 rng(7);
  std::vector<int64_t> inShape = {64};
  if (perLane > 1)
    inShape.push_back(perLane);
  HostArray a = randomArray(dtype, inShape, rng);
  HostArray b = randomArray(dtype, inShape, rng);
  HostArray c = randomArray(DType::F32, {64, elems}, rng);
  std::vector<HostArray> out =
      runEmulated(mfmaProgram(t, shape, tile), {a, b, c});
  REQUIRE(out.size() == 1);
  auto in = [&](const HostArray &x, int64_t lane, int64_t elem) {
    return getAsDouble(x, lane * perLane + elem);
  };
  // D[m][n]: lane n + T * ((m / 4) % G), element 4 * (m / (4G)) + m % 4.
  auto accAt = [&](const HostArray &x, int64_t m, int64_t n) {
    int64_t lane = n + tile * ((m / 4) % groups);
    return getAsDouble(x, lane * elems + 4 * (m / (4 * groups)) + m % 4);
  };
  double maxErr = 0;
  for (int64_t m = 0; m < tile; ++m)
    for (int64_t n = 0; n < tile; ++n) {
      double want = accAt(c, m, n);
      for (int64_t kk = 0; kk < k; ++kk)
        want += in(a, m + tile * (kk / perLane), kk % perLane) *
                in(b, n + tile * (kk / perLane), kk % perLane);
      maxErr = std::max(maxErr, std::abs(accAt(out[0], m, n) - want));
    }
  return maxErr;
}

} // namespace

TEST_CASE("emulated MFMA f32 is a matrix multiply in AMD's layout",
          "[emulation]") {
  // f32 products and sums of up to 4 terms of magnitude <= 1.
  SECTION("amdgpu.mfma 16x16x4 f32") {
    CHECK(mfmaError(DType::F32, "f32", "16x16x4", 16, 4) < 1e-6);
  }
  SECTION("amdgpu.mfma 32x32x2 f32") {
    CHECK(mfmaError(DType::F32, "f32", "32x32x2", 32, 2) < 1e-6);
  }
}

TEST_CASE("emulated MFMA 16x16x16 and 32x32x8 are matrix multiplies in "
          "AMD's layouts",
          "[emulation]") {
  for (auto [name, dtype] :
       {std::pair<std::string, DType>{"f16", DType::F16},
        std::pair<std::string, DType>{"bf16", DType::BF16}}) {
    // Exact products, f32 sums of up to 16 terms of magnitude <= 1.
    DYNAMIC_SECTION("amdgpu.mfma 16x16x16 " << name) {
      CHECK(mfmaError(dtype, name, "16x16x16", 16, 16) < 1e-5);
    }
    DYNAMIC_SECTION("amdgpu.mfma 32x32x8 " << name) {
      CHECK(mfmaError(dtype, name, "32x32x8", 32, 8) < 1e-5);
    }
  }
}

TEST_CASE("emulated barriers and per-workgroup memory", "[emulation]") {
  // Each thread writes its slot of workgroup memory, waits at the barrier,
  // then reads its neighbour's: correct only if no thread runs ahead and
  // each workgroup has its own memory.
  std::string source = R"(
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @rotate(%in: memref<512xf32>, %out: memref<512xf32>)
        workgroup(%lds : memref<256xf32, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 256, 1, 1>} {
      %c1 = arith.constant 1 : index
      %c256 = arith.constant 256 : index
      %t = gpu.thread_id x
      %b = gpu.block_id x
      %base = arith.muli %b, %c256 : index
      %i = arith.addi %base, %t : index
      %x = memref.load %in[%i] : memref<512xf32>
      memref.store %x, %lds[%t] : memref<256xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %n1 = arith.addi %t, %c1 : index
      %n = arith.remui %n1, %c256 : index
      %y = memref.load %lds[%n] : memref<256xf32, #gpu.address_space<workgroup>>
      memref.store %y, %out[%i] : memref<512xf32>
      gpu.return
    }
  }
  func.func @main(%tin: tensor<512xf32>) -> tensor<512xf32> {
    %in = bufferization.to_buffer %tin read_only : tensor<512xf32> to memref<512xf32>
    %out = memref.alloc() : memref<512xf32>
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c256 = arith.constant 256 : index
    gpu.launch_func @attn_kernels::@rotate blocks in (%c2, %c1, %c1) threads in (%c256, %c1, %c1)
        args(%in : memref<512xf32>, %out : memref<512xf32>)
    %r = bufferization.to_tensor %out restrict writable : memref<512xf32> to tensor<512xf32>
    return %r : tensor<512xf32>
  }
}
)";
  HostArray in = HostArray::zeros(DType::F32, {512});
  for (int64_t i = 0; i < 512; ++i)
    setFromDouble(in, i, double(i));
  std::vector<HostArray> out = runEmulated(source, {in});
  REQUIRE(out.size() == 1);
  for (int64_t i = 0; i < 512; ++i) {
    int64_t block = i / 256, t = i % 256;
    INFO("element " << i);
    CHECK(getAsDouble(out[0], i) == double(block * 256 + (t + 1) % 256));
  }
}

TEST_CASE("emulated xor shuffles stay within a wave of 64", "[emulation]") {
  std::string source = R"(
module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @shuffle(%out: memref<6x128xf32>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %w = arith.constant 64 : i32
      %t = gpu.thread_id x
      %ti = arith.index_cast %t : index to i32
      %v = arith.sitofp %ti : i32 to f32
      %o0 = arith.constant 1 : i32
      %o1 = arith.constant 2 : i32
      %o2 = arith.constant 4 : i32
      %o3 = arith.constant 8 : i32
      %o4 = arith.constant 16 : i32
      %o5 = arith.constant 32 : i32
      %s0, %p0 = gpu.shuffle xor %v, %o0, %w : f32
      %s1, %p1 = gpu.shuffle xor %v, %o1, %w : f32
      %s2, %p2 = gpu.shuffle xor %v, %o2, %w : f32
      %s3, %p3 = gpu.shuffle xor %v, %o3, %w : f32
      %s4, %p4 = gpu.shuffle xor %v, %o4, %w : f32
      %s5, %p5 = gpu.shuffle xor %v, %o5, %w : f32
      %r0 = arith.constant 0 : index
      %r1 = arith.constant 1 : index
      %r2 = arith.constant 2 : index
      %r3 = arith.constant 3 : index
      %r4 = arith.constant 4 : index
      %r5 = arith.constant 5 : index
      memref.store %s0, %out[%r0, %t] : memref<6x128xf32>
      memref.store %s1, %out[%r1, %t] : memref<6x128xf32>
      memref.store %s2, %out[%r2, %t] : memref<6x128xf32>
      memref.store %s3, %out[%r3, %t] : memref<6x128xf32>
      memref.store %s4, %out[%r4, %t] : memref<6x128xf32>
      memref.store %s5, %out[%r5, %t] : memref<6x128xf32>
      gpu.return
    }
  }
  func.func @main(%unused: tensor<1xf32>) -> tensor<6x128xf32> {
    %out = memref.alloc() : memref<6x128xf32>
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    gpu.launch_func @attn_kernels::@shuffle blocks in (%c1, %c1, %c1) threads in (%c128, %c1, %c1)
        args(%out : memref<6x128xf32>)
    %r = bufferization.to_tensor %out restrict writable : memref<6x128xf32> to tensor<6x128xf32>
    return %r : tensor<6x128xf32>
  }
}
)";
  std::vector<HostArray> out =
      runEmulated(source, {HostArray::zeros(DType::F32, {1})});
  REQUIRE(out.size() == 1);
  for (int64_t k = 0; k < 6; ++k)
    for (int64_t t = 0; t < 128; ++t) {
      int64_t partner = (t & ~int64_t(63)) | ((t & 63) ^ (int64_t(1) << k));
      INFO("offset " << (1 << k) << " thread " << t);
      CHECK(getAsDouble(out[0], k * 128 + t) == double(partner));
    }
}
