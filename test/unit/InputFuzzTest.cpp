//===- InputFuzzTest.cpp - mutation fuzzing of the input readers ----------===//
//
// The .npy reader and attn-run's input-spec parser take text and bytes from
// users: thousands of mutated valid inputs (flipped and inserted bytes,
// truncations, huge header lengths and shapes) must each give either a
// well-formed array or a one-line error, never a crash or an exception.
//
//===----------------------------------------------------------------------===//

#include "runtime/InputSpec.h"
#include "runtime/Npy.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <unistd.h>

using namespace attn::runtime;

namespace {
std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// One random mutation of `bytes`.
std::string mutate(std::string bytes, std::mt19937_64 &rng) {
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n ? n - 1 : 0)(rng);
  };
  auto byte = [&] { return char(pick(256)); };
  switch (pick(7)) {
  case 0: // flip a few bytes anywhere
    for (size_t i = 0, n = 1 + pick(4); i < n && !bytes.empty(); ++i)
      bytes[pick(bytes.size())] = byte();
    break;
  case 1: // truncate
    bytes.resize(pick(bytes.size() + 1));
    break;
  case 2: // insert bytes
    bytes.insert(pick(bytes.size() + 1), std::string(1 + pick(8), byte()));
    break;
  case 3: // a huge or odd header length (bytes 8-9 of a version-1 file)
    if (bytes.size() > 10) {
      bytes[8] = byte();
      bytes[9] = byte();
    }
    break;
  case 4: { // a huge or negative dim in the shape
    size_t open = bytes.find("'shape': (");
    if (open != std::string::npos) {
      static const char *dims[] = {
          "99999999999999999999", "-3", "4611686018427387904", "0", "1e3", ""};
      bytes.insert(open + 10, std::string(dims[pick(6)]) + ", ");
    }
    break;
  }
  case 5: { // the descr replaced
    size_t d = bytes.find("'descr': '");
    static const char *descrs[] = {"<f8", ">f4", "|b1", "<i8", "<u2", "zz"};
    if (d != std::string::npos && bytes.size() > d + 13)
      bytes.replace(d + 10, 3, descrs[pick(6)]);
    break;
  }
  default: // the version byte
    if (bytes.size() > 6)
      bytes[6] = char(pick(5));
  }
  return bytes;
}

/// A result is either a consistent array or a one-line error.
void checkOutcome(const std::optional<HostArray> &array,
                  const std::string &error) {
  if (array) {
    REQUIRE(array->data.size() ==
            size_t(array->numElements()) * dtypeSize(array->dtype));
    return;
  }
  REQUIRE_FALSE(error.empty());
  REQUIRE(error.find('\n') == std::string::npos);
}
} // namespace

TEST_CASE("the .npy reader survives 3000 mutated files", "[npy][fuzz]") {
  std::string dir = "/tmp/attn-npy-fuzz-" + std::to_string(getpid());
  REQUIRE(system(("mkdir -p " + dir).c_str()) == 0);
  std::mt19937_64 rng(20261129);
  std::vector<std::string> seeds;
  for (DType dtype : {DType::F32, DType::F16, DType::BF16, DType::I1, DType::I8,
                      DType::I32}) {
    HostArray array = HostArray::zeros(dtype, {2, 3});
    std::string error, path = dir + "/seed.npy";
    REQUIRE(writeNpy(path, array, error));
    seeds.push_back(readFile(path));
  }
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = seeds[i % seeds.size()];
    for (int k = 0, n = 1 + int(rng() % 3); k < n; ++k)
      bytes = mutate(bytes, rng);
    std::string path = dir + "/m.npy", error;
    writeFile(path, bytes);
    std::optional<HostArray> array = readNpy(path, error);
    checkOutcome(array, error);
    if (array)
      ++accepted;
    else
      REQUIRE(error.rfind(path + ": ", 0) == 0);
  }
  // Some mutations (e.g. in the padding) keep the file valid.
  CHECK(accepted > 0);
  CHECK(accepted < 3000);
  REQUIRE(system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("the input-spec parser survives 3000 mutated specs", "[fuzz]") {
  std::mt19937_64 rng(7);
  static const char *seeds[] = {"f16=0.125",   "2x4xf32=1.0",
                                "3x5xi1=true", "2x2xbf16=random",
                                "i32=-3",      "1x0x7xi8=false"};
  static const std::string alphabet = "x=0123456789.-+efinrtaudomblsN ";
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string spec = seeds[i % 6];
    for (int k = 0, n = 1 + int(rng() % 4); k < n; ++k) {
      size_t pos = rng() % (spec.size() + 1);
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 4) {
      case 0:
        spec.insert(pos, 1, c);
        break;
      case 1:
        if (pos < spec.size())
          spec.erase(pos, 1);
        break;
      case 2:
        if (pos < spec.size())
          spec[pos] = c;
        break;
      default: // a huge dim
        spec.insert(0, "99999999999x");
      }
    }
    std::string error;
    std::mt19937_64 valueRng(i);
    // Valid specs of any size within 1 MiB are made; larger ones refused.
    std::optional<HostArray> array =
        parseLiteralInput(spec, valueRng, error, /*limitBytes=*/1 << 20);
    checkOutcome(array, error);
    accepted += array.has_value();
  }
  CHECK(accepted > 0);
  CHECK(accepted < 3000);
}
