//===- KernelMetadataTest.cpp - code-object metadata and kernarg packing --===//
//
// Against the code object attn-run --output-binary makes for the
// dequantize-V example at build time (two kernels: the MFMA attention and
// the dequantize), so the tests follow what the compiler really emits.
//
//===----------------------------------------------------------------------===//

#include "runtime/KernelMetadata.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace attn::runtime;

std::vector<uint8_t> readCodeObject() {
  std::ifstream in(ATTN_TEST_CODE_OBJECT, std::ios::binary);
  REQUIRE(in.good());
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

static const KernelInfo &findKernel(const std::vector<KernelInfo> &kernels,
                                    const std::string &name) {
  for (const KernelInfo &k : kernels)
    if (k.name == name)
      return k;
  FAIL("no kernel " << name);
  return kernels.front();
}

TEST_CASE("metadata of a compiler-made code object", "[kernarg]") {
  auto kernels = readKernelMetadata(readCodeObject());
  REQUIRE(static_cast<bool>(kernels));
  REQUIRE(kernels->size() == 2);
  const KernelInfo &attention = findKernel(*kernels, "main_attention_0");
  CHECK(attention.symbol == "main_attention_0.kd");
  // Q, K, V^T, O as 4-d memref descriptors (2 pointers, offset, 4 sizes,
  // 4 strides = 11 arguments each), then the f16 scale.
  auto args = attention.explicitArgs();
  REQUIRE(args.size() == 4 * 11 + 1);
  CHECK(args[0]->valueKind == "global_buffer");
  CHECK(args[0]->offset == 0);
  CHECK(args[0]->size == 8);
  CHECK(args[2]->valueKind == "by_value");
  CHECK(args[11]->offset == 88);
  CHECK(args.back()->size == 2);
  CHECK(args.back()->offset == 352);
  CHECK(attention.kernargSegmentSize >= 354);
  CHECK(attention.kernargSegmentAlign == 8);
  // Two LDS buffers (pipeline depth 2) of K and V^T tiles, 16 KiB each.
  CHECK(attention.groupSegmentFixedSize == 32768);
  CHECK(attention.privateSegmentFixedSize == 0);
  CHECK(attention.wavefrontSize == 64);
  // The default configuration at this size: 8 waves of 64 lanes.
  CHECK(attention.maxFlatWorkgroupSize == 512);
  const KernelInfo &dequant = findKernel(*kernels, "main_generic_0");
  CHECK(dequant.groupSegmentFixedSize == 0);
  CHECK(dequant.explicitArgs().size() == 11 + 7 + 7 + 11);
}

TEST_CASE("arguments are packed at their metadata offsets", "[kernarg]") {
  auto kernels = readKernelMetadata(readCodeObject());
  REQUIRE(static_cast<bool>(kernels));
  const KernelInfo &attention = findKernel(*kernels, "main_attention_0");
  auto args = attention.explicitArgs();
  std::vector<uint64_t> values(args.size());
  std::vector<void *> params;
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = 0x1000000000000000ull * (i % 7 + 1) + i;
    params.push_back(&values[i]);
  }
  uint16_t scale = 0x3000; // f16 0.125
  params.back() = &scale;
  auto kernarg = packKernelArguments(attention, params);
  REQUIRE(static_cast<bool>(kernarg));
  REQUIRE(kernarg->size() == attention.kernargSegmentSize);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    uint64_t got = 0;
    std::memcpy(&got, kernarg->data() + args[i]->offset, 8);
    CHECK(got == values[i]);
  }
  uint16_t gotScale = 0;
  std::memcpy(&gotScale, kernarg->data() + 352, 2);
  CHECK(gotScale == 0x3000);
  // Only `.size` bytes are read from each argument: nothing past the scale.
  for (size_t b = 354; b < kernarg->size(); ++b)
    CHECK((*kernarg)[b] == 0);
}

TEST_CASE("packing errors are reported, not guessed around", "[kernarg]") {
  auto kernels = readKernelMetadata(readCodeObject());
  REQUIRE(static_cast<bool>(kernels));
  KernelInfo kernel = findKernel(*kernels, "main_generic_0");
  size_t n = kernel.explicitArgs().size();
  std::vector<uint64_t> storage(n, 0);
  std::vector<void *> params;
  for (uint64_t &v : storage)
    params.push_back(&v);

  // The packing error of the current section's change, as one line.
  auto packError = [&]() {
    auto packed = packKernelArguments(kernel, params);
    REQUIRE_FALSE(static_cast<bool>(packed));
    return llvm::toString(packed.takeError());
  };
  SECTION("too few arguments") {
    params.pop_back();
    CHECK(packError() == "kernel main_generic_0 takes 36 arguments by its "
                         "metadata, the launch passes 35");
  }
  SECTION("a null argument pointer") {
    params[3] = nullptr;
    CHECK(packError() ==
          "kernel main_generic_0: null pointer for the argument at offset 24");
  }
  SECTION("a table that runs past the segment") {
    kernel.args.back().offset = kernel.kernargSegmentSize;
    CHECK_THAT(packError(), Catch::Contains("ends past the kernarg segment"));
  }
  SECTION("overlapping arguments") {
    kernel.args[1].offset = 0;
    CHECK_THAT(packError(), Catch::Contains("overlaps the previous argument"));
  }
  SECTION("a misaligned argument") {
    kernel.args[1].offset = 12;
    CHECK_THAT(packError(), Catch::Contains("is not 8-byte aligned"));
  }
}

TEST_CASE("hidden arguments are the runtime's, filled for the emulation",
          "[kernarg]") {
  KernelInfo kernel;
  kernel.name = "k";
  kernel.kernargSegmentSize = 64;
  kernel.args = {{"", "global_buffer", 0, 8},
                 {"", "hidden_block_count_x", 8, 4},
                 {"", "hidden_block_count_y", 12, 4},
                 {"", "hidden_group_size_x", 16, 2},
                 {"", "hidden_group_size_y", 18, 2},
                 {"", "hidden_global_offset_x", 24, 8}};
  REQUIRE(kernel.explicitArgs().size() == 1);
  uint64_t ptr = 0xabcdef;
  void *param = &ptr;
  auto kernarg = packKernelArguments(kernel, {param});
  REQUIRE(static_cast<bool>(kernarg));
  uint64_t grid[3] = {7, 3, 1}, block[3] = {256, 1, 1};
  fillHiddenArguments(kernel, grid, block, *kernarg);
  uint32_t countX = 0, countY = 0;
  uint16_t sizeX = 0, sizeY = 0;
  std::memcpy(&countX, kernarg->data() + 8, 4);
  std::memcpy(&countY, kernarg->data() + 12, 4);
  std::memcpy(&sizeX, kernarg->data() + 16, 2);
  std::memcpy(&sizeY, kernarg->data() + 18, 2);
  CHECK(countX == 7);
  CHECK(countY == 3);
  CHECK(sizeX == 256);
  CHECK(sizeY == 1);
}

TEST_CASE("bad code objects give one-line errors", "[kernarg]") {
  auto empty = readKernelMetadata({});
  REQUIRE_FALSE(static_cast<bool>(empty));
  CHECK_THAT(llvm::toString(empty.takeError()),
             Catch::StartsWith("not an AMDGPU code object"));

  // A host ELF: valid ELF, wrong machine.
  std::ifstream self("/proc/self/exe", std::ios::binary);
  std::vector<uint8_t> host(std::istreambuf_iterator<char>(self), {});
  auto wrong = readKernelMetadata(host);
  REQUIRE_FALSE(static_cast<bool>(wrong));
  CHECK(llvm::toString(wrong.takeError()) ==
        "not an AMDGPU code object (ELF machine is not AMDGPU)");

  std::vector<uint8_t> code = readCodeObject();
  for (size_t cut : {size_t(16), size_t(64), code.size() / 2}) {
    std::vector<uint8_t> truncated(code.begin(), code.begin() + cut);
    auto result = readKernelMetadata(truncated);
    CHECK_FALSE(static_cast<bool>(result));
    if (!result)
      llvm::consumeError(result.takeError());
  }
}
