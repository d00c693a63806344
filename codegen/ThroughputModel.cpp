//===- ThroughputModel.cpp - static throughput of a hot loop --------------===//
//
// llvm-mca is run as a tool (Debian's llvm-22 ships it; the MCA library's
// AMDGPU parts are not exported by libLLVM), on a temporary file holding
// the loop body.
//
//===----------------------------------------------------------------------===//

#include "codegen/ThroughputModel.h"
#include "codegen/Target.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <regex>

#ifndef ATTN_LLVM_MCA
#error "ATTN_LLVM_MCA must name llvm-mca (set by CMake)"
#endif

using namespace mlir::attn;

/// FLOPs of one MFMA for one wave from its mnemonic (v_mfma_f32_16x16x16_f16,
/// v_mfma_f32_32x32x8f16, ...): 2*M*N*K; 0 when the shape is not in it.
static double mfmaFlops(const std::string &mnemonic) {
  static const std::regex shape("v_mfma_[a-z0-9]+_([0-9]+)x([0-9]+)x([0-9]+)");
  std::smatch m;
  if (!std::regex_search(mnemonic, m, shape))
    return 0;
  return 2.0 * std::stod(m[1]) * std::stod(m[2]) * std::stod(m[3]);
}

/// A line that is an instruction: not empty, a comment, a directive or a
/// label.
static bool isInstruction(llvm::StringRef text) {
  return !text.empty() && !text.starts_with(";") && !text.starts_with(".") &&
         !text.ends_with(":");
}

/// The label a branch instruction jumps to, or "".
static llvm::StringRef branchTarget(llvm::StringRef text) {
  if (!text.starts_with("s_branch") && !text.starts_with("s_cbranch"))
    return "";
  return text.rsplit(' ').second.trim();
}

std::optional<LoopBody>
mlir::attn::findHottestLoop(const std::vector<std::string> &lines) {
  std::map<std::string, size_t> labels;
  std::optional<LoopBody> best;
  for (size_t i = 0; i < lines.size(); ++i) {
    llvm::StringRef text = llvm::StringRef(lines[i]).trim();
    if (text.starts_with(".LBB") && text.ends_with(":")) {
      labels[text.drop_back().str()] = i;
      continue;
    }
    auto start = labels.find(branchTarget(text).str());
    if (start == labels.end())
      continue; // not a branch back
    LoopBody body;
    body.label = start->first;
    for (size_t j = start->second + 1; j <= i; ++j) {
      llvm::StringRef inst = llvm::StringRef(lines[j]).trim();
      if (!isInstruction(inst))
        continue;
      body.instructions.push_back(inst.str());
      if (inst.starts_with("v_mfma")) {
        ++body.mfmas;
        body.flops += mfmaFlops(inst.split(' ').first.str());
      }
    }
    if (body.mfmas && (!best || body.mfmas > best->mfmas))
      best = std::move(body);
  }
  return best;
}

double LoopThroughput::busy(llvm::StringRef unit) const {
  auto it = pressure.find(unit.str());
  return it == pressure.end() ? 0 : it->second;
}

double LoopThroughput::mfmaBusy() const {
  return cyclesPerIteration > 0 ? busy("XDL") / cyclesPerIteration : 0;
}

double LoopThroughput::valuPerXdl() const {
  return busy("XDL") > 0 ? busy("VALU") / busy("XDL") : 0;
}

double LoopThroughput::peakFraction(int64_t wavesPerSimd) const {
  return std::min(1.0, double(wavesPerSimd) * mfmaBusy());
}

double LoopThroughput::simdBound(double waves) const {
  double xdl = busy("XDL") * waves;
  double cycles = std::max({cyclesPerIteration, xdl, busy("VALU") * waves});
  return cycles > 0 ? xdl / cycles : 0;
}

/// Reads llvm-mca's text report: iterations, total cycles, the resource
/// names and the pressure per iteration.
static std::optional<LoopThroughput> parseMcaReport(llvm::StringRef report,
                                                    std::string &error) {
  llvm::SmallVector<llvm::StringRef> lines;
  report.split(lines, '\n');
  double iterations = 0, cycles = 0;
  std::vector<std::string> resources;
  LoopThroughput result;
  for (size_t i = 0; i < lines.size(); ++i) {
    llvm::StringRef line = lines[i].trim();
    if (line.consume_front("Iterations:"))
      line.trim().getAsDouble(iterations);
    else if (line.consume_front("Total Cycles:"))
      line.trim().getAsDouble(cycles);
    else if (line.starts_with("[") && line.contains("]   - HW"))
      resources.push_back(line.split("- HW").second.trim().str());
    else if (line == "Resource pressure per iteration:" &&
             i + 2 < lines.size()) {
      llvm::SmallVector<llvm::StringRef> values;
      lines[i + 2].split(values, ' ', -1, /*KeepEmpty=*/false);
      for (size_t r = 0; r < values.size() && r < resources.size(); ++r) {
        double v = 0;
        if (values[r] != "-")
          values[r].getAsDouble(v);
        result.pressure[resources[r] == "Branch" ? "branch" : resources[r]] = v;
      }
    }
  }
  if (iterations <= 0 || cycles <= 0 || result.pressure.empty()) {
    error = "llvm-mca gave no cycle count or resource pressure";
    return std::nullopt;
  }
  result.cyclesPerIteration = cycles / iterations;
  return result;
}

std::optional<LoopThroughput> mlir::attn::modelLoop(const LoopBody &body,
                                                    llvm::StringRef chip,
                                                    std::string &error) {
  const ChipInfo *info = lookupChip(chip);
  if (info && !info->mcaModelsLoops) {
    error = "llvm-mca 22 does not finish on " + chip.str() + " MFMA loops";
    return std::nullopt;
  }
  if (!llvm::sys::fs::can_execute(ATTN_LLVM_MCA)) {
    error = "llvm-mca not found at " + std::string(ATTN_LLVM_MCA) +
            " (Debian package llvm-22)";
    return std::nullopt;
  }
  llvm::SmallString<128> input, output;
  if (llvm::sys::fs::createTemporaryFile("attn-loop", "s", input) ||
      llvm::sys::fs::createTemporaryFile("attn-mca", "txt", output)) {
    error = "cannot create temporary files for llvm-mca";
    return std::nullopt;
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(input, ec);
    for (const std::string &inst : body.instructions)
      os << "\t" << inst << "\n";
  }
  std::string cpu = "-mcpu=" + chip.str();
  llvm::StringRef args[] = {ATTN_LLVM_MCA, "-mtriple=amdgcn-amd-amdhsa", cpu,
                            "-iterations=100", input.str()};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, output.str(),
                                                output.str()};
  int rc = llvm::sys::ExecuteAndWait(ATTN_LLVM_MCA, args, std::nullopt,
                                     redirects, /*SecondsToWait=*/60);
  auto report = llvm::MemoryBuffer::getFile(output);
  llvm::sys::fs::remove(input);
  llvm::sys::fs::remove(output);
  if (rc != 0 || !report) {
    error = "llvm-mca failed on the loop " + body.label;
    return std::nullopt;
  }
  return parseMcaReport((*report)->getBuffer(), error);
}
