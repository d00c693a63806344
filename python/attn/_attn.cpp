//===- _attn.cpp - the attn Python package's native module ----------------===//
//
// numpy <-> HostArray and errors -> attn.Error around Engine (Engine.h),
// which compiles with attn's one driver and runs with its JIT. Built with
// RTTI (pybind11 needs it): no LLVM or MLIR headers here.
//
//===----------------------------------------------------------------------===//

#include "python/attn/Engine.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace py = pybind11;
using namespace attn::python;
using namespace attn::runtime;

namespace {

/// A one-line error of the tools; attn.Error in Python.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

py::dtype numpyDType(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return py::dtype("float32");
  case DType::F16:
    return py::dtype("float16");
  case DType::BF16: // raw bits, as in .npy files
    return py::dtype("uint16");
  case DType::I1:
    return py::dtype("bool");
  case DType::I8:
    return py::dtype("int8");
  case DType::I32:
    return py::dtype("int32");
  }
  return py::dtype("float32");
}

HostArray toHostArray(const py::array &array, const Param &param,
                      const std::string &label) {
  char kind = array.dtype().kind();
  size_t size = array.itemsize();
  std::optional<DType> dtype;
  if (kind == 'f' && size == 4)
    dtype = DType::F32;
  else if (kind == 'f' && size == 2)
    dtype = DType::F16;
  else if (kind == 'u' && size == 2 && param.dtype == DType::BF16)
    dtype = DType::BF16;
  else if (kind == 'b')
    dtype = DType::I1;
  else if (kind == 'i' && size == 1)
    dtype = DType::I8;
  else if (kind == 'i' && size == 4)
    dtype = DType::I32;
  if (!dtype)
    throw Error(label + ": numpy dtype " +
                std::string(py::str(py::object(array.dtype()))) +
                " is not supported (float32, float16, uint16 bits for bf16, "
                "bool, int8, int32); the argument is " +
                param.type);
  HostArray host;
  host.dtype = *dtype;
  host.shape.assign(array.shape(), array.shape() + array.ndim());
  auto contiguous = py::array::ensure(array, py::array::c_style);
  host.data.resize(contiguous.nbytes());
  if (!host.data.empty())
    std::memcpy(host.data.data(), contiguous.data(), host.data.size());
  return host;
}

py::array toNumpy(const HostArray &host) {
  py::array array(numpyDType(host.dtype), host.shape);
  if (!host.data.empty())
    std::memcpy(array.mutable_data(), host.data.data(), host.data.size());
  return array;
}

/// The Python face of an Engine.
class Program {
public:
  Program(const std::string &text, const std::string &name,
          const EngineOptions &options) {
    std::string error;
    {
      py::gil_scoped_release release;
      engine = Engine::create(text, name, options, error);
    }
    if (!engine)
      throw Error(error);
  }

  std::vector<HostArray> convert(const std::vector<py::array> &arrays) {
    const std::vector<Param> &args = engine->arguments();
    // A count mismatch is reported by Engine::run, naming the function.
    std::vector<HostArray> inputs;
    for (size_t i = 0; i < std::min(arrays.size(), args.size()); ++i)
      inputs.push_back(
          toHostArray(arrays[i], args[i], "input #" + std::to_string(i)));
    return inputs;
  }

  std::vector<py::array> run(const std::vector<py::array> &arrays) {
    std::vector<HostArray> inputs = convert(arrays), outputs;
    std::string error;
    bool ok;
    {
      py::gil_scoped_release release;
      ok = engine->run(inputs, outputs, error);
    }
    if (!ok)
      throw Error(error);
    std::vector<py::array> results;
    for (const HostArray &out : outputs)
      results.push_back(toNumpy(out));
    return results;
  }

  /// Milliseconds of each of `n` calls after one warm-up.
  std::vector<double> time(const std::vector<py::array> &arrays, unsigned n) {
    std::vector<HostArray> inputs = convert(arrays), outputs;
    std::string error;
    std::vector<double> ms;
    bool ok;
    {
      py::gil_scoped_release release;
      ok = engine->run(inputs, outputs, error);
      for (unsigned i = 0; ok && i < n; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        ok = engine->run(inputs, outputs, error);
        ms.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - t0)
                         .count());
      }
    }
    if (!ok)
      throw Error(error);
    return ms;
  }

  std::string ir(const std::string &stage) {
    std::string text, error;
    if (!engine->ir(stage, text, error))
      throw Error(error);
    return text;
  }

  std::string kernelReport() {
    std::string text, error;
    bool ok;
    {
      py::gil_scoped_release release;
      ok = engine->kernelReport(text, error);
    }
    if (!ok)
      throw Error(error);
    return text;
  }

  static py::list describe(const std::vector<Param> &params) {
    py::list list;
    for (const Param &p : params)
      list.append(
          py::make_tuple(dtypeName(p.dtype), p.shape, p.type, p.npyFile));
    return list;
  }
  py::list signature() const { return describe(engine->arguments()); }
  py::list resultSignature() const { return describe(engine->results()); }
  std::string device() const { return engine->device(); }

private:
  std::unique_ptr<Engine> engine;
};

} // namespace

PYBIND11_MODULE(_attn, m) {
  m.doc() = "attn's native module (use the attn package): compiles with "
            "attn's driver and runs with its JIT";
  // OpenMP threads sleep at barriers (the GPU emulation runs many more
  // threads than cores), as in attn-run; libomp reads it when it loads.
  setenv("KMP_BLOCKTIME", "0", /*overwrite=*/0);
  py::register_exception<Error>(m, "Error", PyExc_RuntimeError);
  py::class_<Program>(m, "Program")
      .def(py::init([](const std::string &text, const std::string &name,
                       const std::string &function, const std::string &device,
                       const std::string &chip, bool graphOpt, int64_t mTile,
                       int64_t k2Tile, int64_t k2Splits, bool bf16Dot,
                       const std::string &f32Mfma,
                       const std::string &kernelConfig) {
             EngineOptions options;
             options.function = function;
             options.device = device;
             options.chip = chip;
             options.graphOpt = graphOpt;
             options.mTile = mTile;
             options.k2Tile = k2Tile;
             options.k2Splits = k2Splits;
             options.bf16Dot = bf16Dot;
             options.f32Mfma = f32Mfma;
             options.kernelConfig = kernelConfig;
             return std::make_unique<Program>(text, name, options);
           }),
           py::arg("text"), py::arg("name"), py::arg("function"),
           py::arg("device"), py::arg("chip"), py::arg("graph_opt"),
           py::arg("m_tile"), py::arg("k2_tile"), py::arg("k2_splits"),
           py::arg("bf16_dot"), py::arg("f32_mfma"), py::arg("kernel_config"))
      .def("run", &Program::run)
      .def("time", &Program::time)
      .def("ir", &Program::ir)
      .def("kernel_report", &Program::kernelReport)
      .def("signature", &Program::signature)
      .def("result_signature", &Program::resultSignature)
      .def_property_readonly("device", &Program::device);
  m.attr("default_chip") = defaultChipName();
  m.attr("default_m_tile") = mlir::attn::kDefaultMTile;
  m.attr("default_k2_tile") = mlir::attn::kDefaultK2Tile;
  m.attr("chips") = supportedChips();
}
