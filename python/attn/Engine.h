//===- Engine.h - compile and run for the Python package --------*- C++ -*-===//
//
// The part of the attn Python package that touches MLIR: parse a program,
// compile it with the one compile driver (codegen/Compiler.h compileModule,
// as attn-run does) and run it in a JitSession. Its interface uses only
// standard types and runtime/HostArray, because the pybind11 side is
// built with RTTI and LLVM/MLIR without.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_PYTHON_ENGINE_H
#define ATTN_PYTHON_ENGINE_H

#include "codegen/HostCpu.h"
#include "runtime/HostArray.h"

#include <memory>
#include <string>
#include <vector>

namespace attn::python {

struct EngineOptions {
  std::string function = "main";
  /// cpu, rocm, rocm-sim, or auto (an AMD GPU if HIP finds one, else cpu).
  std::string device = "cpu";
  std::string chip; // empty: the default chip
  bool graphOpt = true;
  int64_t mTile = mlir::attn::kDefaultMTile,
          k2Tile = mlir::attn::kDefaultK2Tile;
  /// As attn-run's --k2-splits, --f32-mfma and --attn-kernel-config.
  int64_t k2Splits = 0;
  /// As attn-run's --bf16-dot.
  bool bf16Dot = true;
  std::string f32Mfma = "exact";
  std::string kernelConfig;
};

/// An argument or result of the entry function.
struct Param {
  runtime::DType dtype;
  std::vector<int64_t> shape; // -1 for a dynamic dim
  std::string type;           // as MLIR prints it
  std::string npyFile;        // arguments: the attn.npy attribute, if any
};

class Engine {
public:
  ~Engine();
  /// Parses `text` (named `name` in diagnostics), compiles and loads it;
  /// null with a one-line `error` on failure.
  static std::unique_ptr<Engine> create(const std::string &text,
                                        const std::string &name,
                                        const EngineOptions &options,
                                        std::string &error);

  const std::vector<Param> &arguments() const;
  const std::vector<Param> &results() const;
  /// The device after "auto" is resolved.
  const std::string &device() const;

  /// Checks `inputs` against the arguments and calls the entry function.
  bool run(const std::vector<runtime::HostArray> &inputs,
           std::vector<runtime::HostArray> &outputs, std::string &error);
  /// "input", "graph" (after attn-graph-opt) or "lowered" (what the JIT
  /// runs).
  bool ir(const std::string &stage, std::string &text, std::string &error);
  /// GPU devices: the kernel report of a device-only compile of the input
  /// through the same driver.
  bool kernelReport(std::string &text, std::string &error);

  struct Impl;

private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

/// The default chip and the supported ones ("gfx942, gfx90a, ...").
std::string defaultChipName();
std::string supportedChips();

} // namespace attn::python

#endif // ATTN_PYTHON_ENGINE_H
