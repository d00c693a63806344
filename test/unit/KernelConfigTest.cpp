//===- KernelConfigTest.cpp - the attention kernel's configuration --------===//
//
// The text form round-trips, bad settings say what is wrong, and the
// heuristic picks what docs/gpu.md says for the shapes there.
//
//===----------------------------------------------------------------------===//

#include "codegen/KernelConfig.h"

#include <catch2/catch.hpp>

using namespace mlir::attn;

TEST_CASE("kernel configurations parse and print", "[config]") {
  std::string error;
  std::optional<AttentionKernelConfig> c =
      parseKernelConfig("waves=8, key-block=32", error);
  REQUIRE(c);
  CHECK(c->keyBlock == 32);
  CHECK(c->waves == 8);
  CHECK(c->rowsPerWave() == 0);
  CHECK(c->threads(64) == 512);
  CHECK(c->str() == "key-block=32,waves=8,mfma=auto,pipeline=auto");
  CHECK(parseKernelConfig(c->str(), error) == c);
  // The MFMA shape sets the rows per wave: its M.
  std::optional<AttentionKernelConfig> m32 =
      parseKernelConfig("mfma=32x32x8,waves=4,key-block=64,pipeline=2", error);
  REQUIRE(m32);
  CHECK(m32->mfma == MfmaShape{32, 32, 8});
  CHECK(m32->rowsPerWave() == 32);
  CHECK(m32->rowsPerWorkgroup() == 128);
  CHECK(m32->isComplete());
  CHECK(m32->pipeline == 2);
  CHECK(m32->str() == "key-block=64,waves=4,mfma=32x32x8,pipeline=2");
  CHECK(parseKernelConfig(m32->str(), error) == m32);
  std::optional<AttentionKernelConfig> m16 =
      parseKernelConfig(" mfma = 16x16x16 ", error);
  REQUIRE(m16);
  CHECK(m16->rowsPerWave() == 16);
  // Pipeline depth 0 is a depth, not "automatic".
  std::optional<AttentionKernelConfig> depth0 =
      parseKernelConfig("pipeline=0", error);
  REQUIRE(depth0);
  CHECK(depth0->pipeline == 0);
  CHECK(depth0->str() == "key-block=auto,waves=auto,mfma=auto,pipeline=0");
  // Unset settings stay automatic.
  for (const char *text : {"", "auto", "waves=auto", "key-block=auto",
                           "mfma=auto", "pipeline=auto"}) {
    std::optional<AttentionKernelConfig> automatic =
        parseKernelConfig(text, error);
    REQUIRE(automatic);
    CHECK_FALSE(automatic->isComplete());
  }
  CHECK(parseKernelConfig("key-block=64", error)->str() ==
        "key-block=64,waves=auto,mfma=auto,pipeline=auto");
}

TEST_CASE("bad kernel configurations say what is wrong", "[config]") {
  auto errorOf = [](const char *text) {
    std::string error;
    CHECK_FALSE(parseKernelConfig(text, error));
    return error;
  };
  CHECK(errorOf("waves=3") == "waves must be 2, 4 or 8, got 3");
  CHECK(errorOf("key-block=48") == "key-block must be 32, 64 or 128, got 48");
  CHECK(errorOf("waves=-8") == "waves needs a number or auto, got '-8'");
  CHECK(errorOf("waves") == "waves needs a number or auto, got ''");
  CHECK(errorOf("rows=128") ==
        "unknown setting 'rows' in 'rows=128' "
        "(expected key-block=N,waves=W,mfma=MxNxK,pipeline=D)");
  CHECK(errorOf("pipeline=3") == "pipeline must be 0, 1 or 2, got 3");
  CHECK(errorOf("pipeline=-1") == "pipeline needs a number or auto, got '-1'");
  CHECK(errorOf("pipeline=deep") ==
        "pipeline needs a number or auto, got 'deep'");
  CHECK(errorOf("waves=4,waves=8") == "waves given twice in 'waves=4,waves=8'");
  // MFMA shapes: well-formed but not the kernel's, or not shapes at all.
  CHECK(errorOf("mfma=16x16x4") ==
        "mfma must be 16x16x16 or 32x32x8, got 16x16x4");
  CHECK(errorOf("mfma=32x32x2") ==
        "mfma must be 16x16x16 or 32x32x8, got 32x32x2");
  CHECK(errorOf("mfma=32") == "mfma must be 16x16x16 or 32x32x8, got '32'");
  CHECK(errorOf("mfma=") == "mfma must be 16x16x16 or 32x32x8, got ''");
  CHECK(errorOf("mfma=16x16x16,mfma=32x32x8") ==
        "mfma given twice in 'mfma=16x16x16,mfma=32x32x8'");
}

TEST_CASE("the heuristic's choices", "[config]") {
  const ChipInfo &gfx942 = *lookupChip("gfx942");
  auto choose = [&](AttentionProblem p, AttentionKernelConfig requested = {}) {
    return chooseKernelConfig(gfx942, p, requested).str();
  };
  // SDXL (2x10 heads x 4096) and 2x16x4096 at d=128: 640 and 1024
  // workgroups of 8 waves, at least 2 per CU: 8 waves. Two LDS buffers
  // (pipeline depth 2) of SDXL's blocks take 32 KiB, so two workgroups
  // still give 4 waves per SIMD; at d=128 they take 64 KiB (one workgroup,
  // 2 waves per SIMD): depth 1.
  CHECK(choose({4096, 64, 4096, 64, 20, 16}) ==
        "key-block=64,waves=8,mfma=16x16x16,pipeline=2");
  CHECK(choose({4096, 128, 4096, 128, 32, 16}) ==
        "key-block=64,waves=8,mfma=16x16x16,pipeline=1");
  // 40 x 1024: 320 workgroups of 8 waves would force a K2 split: 4.
  CHECK(choose({1024, 64, 1024, 64, 40, 16}) ==
        "key-block=64,waves=4,mfma=16x16x16,pipeline=1");
  // M = 200 pads to 256 either way, but the grid is small; M = 4032 pads
  // to 4096 with 8 waves and to 4032 with 4: 4. The small blocks of
  // K1 = 32, N = 16 fit twice five times in LDS: depth 2.
  CHECK(choose({200, 32, 128, 16, 1, 16}) ==
        "key-block=64,waves=4,mfma=16x16x16,pipeline=2");
  CHECK(choose({4032, 64, 4096, 64, 64, 16}) ==
        "key-block=64,waves=4,mfma=16x16x16,pipeline=1");
  // Decode: 4.
  CHECK(choose({1, 128, 8192, 128, 32, 16}) ==
        "key-block=64,waves=4,mfma=16x16x16,pipeline=1");
  // Given settings are kept, the others still chosen; with 32-row waves,
  // 8 waves (256 rows) would leave SDXL's grid under 2 workgroups per CU.
  CHECK(choose({4096, 64, 4096, 64, 20, 16}, {0, 0, {32, 32, 8}}) ==
        "key-block=64,waves=4,mfma=32x32x8,pipeline=1");
  CHECK(choose({4096, 128, 4096, 128, 32, 16}, {0, 0, {32, 32, 8}}) ==
        "key-block=64,waves=4,mfma=32x32x8,pipeline=1");
  CHECK(choose({4096, 64, 4096, 64, 20, 16}, {128, 0}) ==
        "key-block=128,waves=8,mfma=16x16x16,pipeline=1");
  CHECK(choose({4096, 64, 4096, 64, 20, 16}, {0, 2}) ==
        "key-block=64,waves=2,mfma=16x16x16,pipeline=1");
  CHECK(choose({4096, 64, 4096, 64, 20, 16}, {0, 0, {}, 0}) ==
        "key-block=64,waves=8,mfma=16x16x16,pipeline=0");
  // A chip without an occupancy target keeps depth 1.
  AttentionKernelConfig noTarget =
      chooseKernelConfig(*lookupChip("gfx1100"), {4096, 64, 4096, 64, 20, 16});
  CHECK(noTarget.pipeline == 1);
}

TEST_CASE("the tuner's candidates", "[config]") {
  // 2 MFMA shapes x 3 key blocks x 3 wave counts x 3 pipeline depths.
  CHECK(candidateKernelConfigs().size() == 54);
  std::vector<AttentionKernelConfig> fixed =
      candidateKernelConfigs({0, 4, {}, 1});
  REQUIRE(fixed.size() == 6);
  for (const AttentionKernelConfig &c : fixed)
    CHECK(c.waves == 4);
  CHECK(candidateKernelConfigs({64, 8}).size() == 6);
  std::vector<AttentionKernelConfig> depth0 =
      candidateKernelConfigs({64, 8, {16, 16, 16}, 0});
  REQUIRE(depth0.size() == 1);
  CHECK(depth0.front().pipeline == 0);
  std::vector<AttentionKernelConfig> m32 =
      candidateKernelConfigs({0, 0, {32, 32, 8}});
  REQUIRE(m32.size() == 27);
  for (const AttentionKernelConfig &c : m32)
    CHECK(c.rowsPerWave() == 32);
  CHECK(candidateKernelConfigs({64, 8, {16, 16, 16}}).size() == 3);
}
