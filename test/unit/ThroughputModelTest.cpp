//===- ThroughputModelTest.cpp - the static loop model on known loops -----===//
//
// Hand-written loops whose answers are known: LLVM's gfx942 scheduling
// model keeps the matrix core (XDL) busy 4 cycles per MFMA 16x16x16 f16, so
// four independent ones take 16 cycles with the XDL always busy; one VALU
// op issues per cycle; the hottest loop is the one with the most MFMAs.
//
//===----------------------------------------------------------------------===//

#include "codegen/ThroughputModel.h"

#include <catch2/catch.hpp>

using namespace mlir::attn;

namespace {
std::vector<std::string> kernelWithTwoLoops() {
  return {"\ts_mov_b32 s0, 0",
          ".LBB0_1:",
          "\tv_mfma_f32_16x16x16_f16 v[0:3], v[16:17], v[18:19], v[0:3]",
          "\tv_mfma_f32_16x16x16_f16 v[4:7], v[16:17], v[18:19], v[4:7]",
          "\ts_cbranch_scc1 .LBB0_1",
          "; %bb.2:",
          ".LBB0_3:",
          "\tv_mfma_f32_16x16x16_f16 v[0:3], v[16:17], v[18:19], v[0:3]",
          "\tv_mfma_f32_16x16x16_f16 v[4:7], v[16:17], v[18:19], v[4:7]",
          "\tv_mfma_f32_16x16x16_f16 v[8:11], v[16:17], v[18:19], v[8:11]",
          "\tv_mfma_f32_16x16x16_f16 v[12:15], v[16:17], v[18:19], v[12:15]",
          "\ts_cbranch_scc1 .LBB0_3",
          "\ts_endpgm"};
}

LoopBody valuLoop() {
  LoopBody body;
  body.label = ".LBB0_1";
  for (int i = 0; i < 8; ++i)
    body.instructions.push_back("v_add_f32_e32 v" + std::to_string(i + 2) +
                                ", v1, v" + std::to_string(i + 2));
  body.instructions.push_back("s_cbranch_scc1 .LBB0_1");
  return body;
}
} // namespace

TEST_CASE("the hottest loop is the one with the most MFMAs", "[model]") {
  std::optional<LoopBody> loop = findHottestLoop(kernelWithTwoLoops());
  REQUIRE(loop);
  CHECK(loop->label == ".LBB0_3");
  CHECK(loop->mfmas == 4);
  CHECK(loop->instructions.size() == 5); // 4 MFMAs and the branch
  CHECK(loop->flops == 4 * 2.0 * 16 * 16 * 16);
}

TEST_CASE("a kernel without an MFMA loop has no hottest loop", "[model]") {
  CHECK_FALSE(findHottestLoop(
      {".LBB0_1:", "\tv_add_f32_e32 v0, v1, v0", "\ts_cbranch_scc1 .LBB0_1"}));
  // A forward branch is not a loop.
  CHECK_FALSE(findHottestLoop(
      {"\ts_cbranch_scc1 .LBB0_2",
       "\tv_mfma_f32_16x16x16_f16 v[0:3], v[16:17], v[18:19], v[0:3]",
       ".LBB0_2:", "\ts_endpgm"}));
}

TEST_CASE("four independent MFMAs keep the matrix core busy", "[model]") {
  std::optional<LoopBody> loop = findHottestLoop(kernelWithTwoLoops());
  REQUIRE(loop);
  std::string error;
  std::optional<LoopThroughput> model = modelLoop(*loop, "gfx942", error);
  INFO(error);
  REQUIRE(model);
  CHECK(model->busy("XDL") == Approx(16));
  CHECK(model->cyclesPerIteration == Approx(16).epsilon(0.05));
  CHECK(model->mfmaBusy() == Approx(1.0).epsilon(0.05));
  CHECK(model->valuPerXdl() == 0);
  CHECK(model->peakFraction(4) == 1.0);
}

TEST_CASE("a VALU loop issues one VALU op per cycle", "[model]") {
  std::string error;
  std::optional<LoopThroughput> model = modelLoop(valuLoop(), "gfx942", error);
  INFO(error);
  REQUIRE(model);
  CHECK(model->busy("VALU") == Approx(8));
  CHECK(model->busy("branch") == Approx(1));
  CHECK(model->busy("XDL") == 0);
  CHECK(model->cyclesPerIteration == Approx(9).epsilon(0.05));
  CHECK(model->mfmaBusy() == 0);
}

TEST_CASE("the peak bound scales with waves and stops at 1", "[model]") {
  LoopThroughput t;
  t.cyclesPerIteration = 1000;
  t.pressure = {{"XDL", 128}, {"VALU", 356}};
  CHECK(t.mfmaBusy() == Approx(0.128));
  CHECK(t.valuPerXdl() == Approx(356.0 / 128));
  CHECK(t.peakFraction(4) == Approx(0.512));
  CHECK(t.peakFraction(8) == 1.0);
}

TEST_CASE("the SIMD bound shares the XDL and VALU units", "[model]") {
  LoopThroughput t;
  t.cyclesPerIteration = 300;
  t.pressure = {{"XDL", 128}, {"VALU", 106}};
  // One wave: latency-bound, as the MFMA busy.
  CHECK(t.simdBound(1) == Approx(128.0 / 300));
  // Four waves: the XDL unit is the limit.
  CHECK(t.simdBound(4) == 1.0);
  // Fractional waves (a grid that leaves SIMDs idle).
  CHECK(t.simdBound(1.5) == Approx(192.0 / 300));
  // A VALU-heavy loop: the shared VALU limits before the XDL unit.
  t.pressure["VALU"] = 256;
  CHECK(t.simdBound(4) == Approx(0.5));
  CHECK(t.peakFraction(4) == 1.0);
}

TEST_CASE("chips llvm-mca cannot model say so", "[model]") {
  std::string error;
  CHECK_FALSE(modelLoop(valuLoop(), "gfx90a", error));
  CHECK(error == "llvm-mca 22 does not finish on gfx90a MFMA loops");
}
