//===- NpyTest.cpp - .npy reader/writer unit tests ------------------------===//

#include "runtime/Npy.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include <sys/stat.h>
#include <unistd.h>

using namespace attn::runtime;

namespace {
/// A fresh directory under $TMPDIR (default /tmp), removed with its contents.
struct TempDir {
  std::string path;
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base && *base ? base : "/tmp") + "/attn-npy-test.XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string &name) const { return path + "/" + name; }
  /// Sorted names of the entries in the directory.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(path, ec))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

bool exists(const std::string &path) { return access(path.c_str(), F_OK) == 0; }

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), bytes.size());
  REQUIRE(out.good());
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A .npy image: preamble for `major`.0, `dict` padded with spaces and '\n' to
/// 64-byte alignment (or not padded at all if `pad` is false), then `data`.
std::string npyImage(const std::string &dict, const std::string &data,
                     int major = 1, bool pad = true) {
  size_t lengthBytes = major == 1 ? 2 : 4;
  std::string header = dict;
  if (pad) {
    size_t unpadded = 8 + lengthBytes + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
  }
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lengthBytes; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string f32Bytes(std::initializer_list<float> values) {
  std::string out;
  for (float v : values)
    out.append(reinterpret_cast<const char *>(&v), sizeof(v));
  return out;
}

const char kDict2x3F32[] =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

/// Reads `path`, which must fail; checks the error is one line naming the
/// file, and returns it.
std::string readError(const std::string &path) {
  std::string error;
  std::optional<HostArray> array = readNpy(path, error);
  CHECK_FALSE(array.has_value());
  CHECK(error.rfind(path + ": ", 0) == 0);
  CHECK(error.find('\n') == std::string::npos);
  return error;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

const DType kAllDTypes[] = {DType::F32, DType::F16, DType::BF16,
                            DType::I1,  DType::I8,  DType::I32};
} // namespace

TEST_CASE("dtype helpers", "[npy]") {
  CHECK(dtypeSize(DType::F32) == 4);
  CHECK(dtypeSize(DType::F16) == 2);
  CHECK(dtypeSize(DType::BF16) == 2);
  CHECK(dtypeSize(DType::I1) == 1);
  CHECK(dtypeSize(DType::I8) == 1);
  CHECK(dtypeSize(DType::I32) == 4);
  CHECK(std::string(dtypeName(DType::BF16)) == "bf16");
  CHECK(std::string(dtypeName(DType::I1)) == "i1");
  for (DType d : kAllDTypes)
    CHECK(dtypeFromName(dtypeName(d)) == d);
  CHECK_FALSE(dtypeFromName("f64").has_value());

  CHECK(formatShape({2, 3, 4}) == "2x3x4");
  CHECK(formatShape({}) == "scalar");
  HostArray scalar = HostArray::zeros(DType::I32, {});
  CHECK(scalar.numElements() == 1);
  CHECK(scalar.data.size() == 4);
  CHECK(HostArray::zeros(DType::F16, {2, 0, 3}).numElements() == 0);
}

TEST_CASE("round trip every dtype and shape", "[npy]") {
  // Distinct values, exactly representable in the dtype.
  auto valueAt = [](DType dtype, int64_t i) -> double {
    if (dtype == DType::I1)
      return i % 2;
    if (dtype == DType::I8 || dtype == DType::I32)
      return (i % 2 ? -3 : 2) * i;
    return (i % 2 ? -1.5 : 2.0) * i;
  };
  TempDir dir;
  const std::vector<std::vector<int64_t>> shapes = {
      {2, 3}, {}, {1}, {5}, {2, 1, 3}, {0}, {2, 0, 3}};
  for (DType dtype : kAllDTypes) {
    for (const auto &shape : shapes) {
      INFO(dtypeName(dtype) << " " << formatShape(shape));
      HostArray array = HostArray::zeros(dtype, shape);
      for (int64_t i = 0; i < array.numElements(); ++i)
        setFromDouble(array, i, valueAt(dtype, i));
      std::string path = dir.file("a.npy");
      std::string error;
      REQUIRE(writeNpy(path, array, error));
      CHECK(error.empty());

      // Header: version 1.0, 64-byte aligned, ends in '\n'.
      std::string bytes = readFile(path);
      REQUIRE(bytes.size() >= 10);
      CHECK(bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0);
      size_t headerLength =
          static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
      CHECK((10 + headerLength) % 64 == 0);
      CHECK(bytes[10 + headerLength - 1] == '\n');
      CHECK(bytes.size() == 10 + headerLength + array.data.size());

      std::optional<HostArray> back = readNpy(path, error);
      REQUIRE(back.has_value());
      CHECK(back->dtype == dtype);
      CHECK(back->shape == shape);
      CHECK(back->data == array.data);
      for (int64_t i = 0; i < array.numElements(); ++i)
        CHECK(getAsDouble(*back, i) == valueAt(dtype, i));
      // No temporaries left behind.
      CHECK(dir.entries() == std::vector<std::string>{"a.npy"});
    }
  }
}

TEST_CASE("written headers use numpy's dict text", "[npy]") {
  TempDir dir;
  std::string error;
  auto headerOf = [&](DType dtype, std::vector<int64_t> shape) {
    std::string path = dir.file("h.npy");
    REQUIRE(writeNpy(path, HostArray::zeros(dtype, shape), error));
    std::string bytes = readFile(path);
    return bytes.substr(10, bytes.find('}') - 10 + 1);
  };
  CHECK(headerOf(DType::F32, {2, 3}) == kDict2x3F32);
  CHECK(headerOf(DType::F16, {}) ==
        "{'descr': '<f2', 'fortran_order': False, 'shape': (), }");
  CHECK(headerOf(DType::BF16, {1}) ==
        "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }");
  CHECK(headerOf(DType::I1, {4}) ==
        "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }");
  CHECK(headerOf(DType::I8, {4}) ==
        "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }");
  CHECK(headerOf(DType::I32, {4}) ==
        "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }");
}

TEST_CASE("read accepted header variants", "[npy]") {
  TempDir dir;
  std::string path = dir.file("v.npy");
  std::string data = f32Bytes({1, 2, 3, 4, 5, 6});
  std::string error;
  auto check = [&](const std::string &image) {
    writeFile(path, image);
    std::optional<HostArray> array = readNpy(path, error);
    INFO(error);
    REQUIRE(array.has_value());
    CHECK(array->dtype == DType::F32);
    CHECK(array->shape == std::vector<int64_t>{2, 3});
    for (int64_t i = 0; i < 6; ++i)
      CHECK(getAsDouble(*array, i) == i + 1);
  };

  SECTION("version 2.0") { check(npyImage(kDict2x3F32, data, 2)); }
  SECTION("version 3.0") { check(npyImage(kDict2x3F32, data, 3)); }
  SECTION("native byte order '='") {
    check(npyImage("{'descr': '=f4', 'fortran_order': False, "
                   "'shape': (2, 3)}",
                   data));
  }
  SECTION("other key order, double quotes, spacing, Python 2 longs") {
    check(npyImage("{ \"shape\" : (2L,3L) ,\"descr\":\"<f4\",'fortran_order':"
                   "False }",
                   data));
  }
  SECTION("header without padding or newline") {
    check(npyImage(kDict2x3F32, data, 1, /*pad=*/false));
  }
}

TEST_CASE("read other dtypes from hand-made files", "[npy]") {
  TempDir dir;
  std::string path = dir.file("d.npy");
  std::string error;

  SECTION("bool bytes are normalized to 0/1") {
    writeFile(path, npyImage("{'descr': '|b1', 'fortran_order': False, "
                             "'shape': (3,), }",
                             std::string("\x00\x01\x02", 3)));
    std::optional<HostArray> array = readNpy(path, error);
    REQUIRE(array.has_value());
    CHECK(array->dtype == DType::I1);
    CHECK(array->data == std::vector<uint8_t>{0, 1, 1});
  }
  SECTION("'<u2' reads as bf16 and '|i1' as i8 (any byte order mark)") {
    writeFile(path, npyImage("{'descr': '<u2', 'fortran_order': False, "
                             "'shape': (), }",
                             std::string("\x80\x3f", 2)));
    std::optional<HostArray> array = readNpy(path, error);
    REQUIRE(array.has_value());
    CHECK(array->dtype == DType::BF16);
    CHECK(array->shape.empty());
    CHECK(getAsDouble(*array, 0) == 1.0);

    writeFile(path, npyImage("{'descr': '<i1', 'fortran_order': False, "
                             "'shape': (1,), }",
                             std::string("\xff", 1)));
    array = readNpy(path, error);
    REQUIRE(array.has_value());
    CHECK(array->dtype == DType::I8);
    CHECK(getAsDouble(*array, 0) == -1.0);
  }
}

TEST_CASE("malformed files are rejected with a one-line error", "[npy]") {
  TempDir dir;
  std::string path = dir.file("q.npy");
  std::string data = f32Bytes({1, 2, 3, 4, 5, 6});
  auto fieldError = [&](const std::string &descr, const std::string &fortran,
                        const std::string &shape) {
    writeFile(path, npyImage("{'descr': " + descr + ", 'fortran_order': " +
                                 fortran + ", 'shape': " + shape + ", }",
                             data));
    return readError(path);
  };

  SECTION("missing file") {
    CHECK(readError(dir.file("nope.npy")) ==
          dir.file("nope.npy") + ": cannot open: No such file or directory");
  }
  SECTION("a directory") {
    CHECK(contains(readError(dir.path), "not a regular file"));
  }
  SECTION("bad magic") {
    writeFile(path, "PK\x03\x04 this is a zip file, not an npy file at all");
    CHECK(readError(path) == path + ": not a .npy file (bad magic)");
    writeFile(path, "");
    CHECK(readError(path) == path + ": not a .npy file (bad magic)");
  }
  SECTION("truncated preamble") {
    writeFile(path, std::string("\x93NUMPY\x01", 7));
    CHECK(contains(readError(path), "truncated header"));
    writeFile(path, std::string("\x93NUMPY\x01\x00\x40", 9));
    CHECK(contains(readError(path), "truncated header"));
  }
  SECTION("truncated header") {
    writeFile(path, npyImage(kDict2x3F32, data).substr(0, 40));
    CHECK(contains(readError(path), "truncated header: header length is 118 "
                                    "bytes but only 30 bytes follow"));
  }
  SECTION("unsupported version") {
    std::string image = npyImage(kDict2x3F32, data);
    image[6] = 4;
    writeFile(path, image);
    CHECK(contains(readError(path), "unsupported .npy format version 4.0"));
  }
  SECTION("truncated data") {
    writeFile(path, npyImage(kDict2x3F32, data.substr(0, 20)));
    CHECK(readError(path) == path +
                                 ": truncated: header says 2x3 f32 (24 bytes) "
                                 "but file has 20 data bytes");
  }
  SECTION("trailing data") {
    writeFile(path, npyImage(kDict2x3F32, data + "XXXX"));
    CHECK(readError(path) == path + ": trailing data: header says 2x3 f32 (24 "
                                    "bytes) but file has 28 data bytes");
  }
  SECTION("Fortran order") {
    CHECK(contains(fieldError("'<f4'", "True", "(2, 3)"),
                   path + ": Fortran-order arrays are not supported"));
  }
  SECTION("unsupported dtype") {
    CHECK(fieldError("'<f8'", "False", "(3,)") ==
          path + ": unsupported dtype '<f8' (supported: f32 '<f4', f16 "
                 "'<f2', bf16 as '<u2', i1 '|b1', i8 '|i1', i32 '<i4')");
    CHECK(contains(fieldError("'|f4'", "False", "(2, 3)"),
                   "unsupported dtype '|f4'"));
    CHECK(contains(fieldError("'<U4'", "False", "(2, 3)"),
                   "unsupported dtype '<U4'"));
    CHECK(contains(fieldError("[('a', '<f4')]", "False", "(2, 3)"),
                   "structured (record) dtypes are not supported"));
  }
  SECTION("big-endian") {
    CHECK(contains(fieldError("'>f4'", "False", "(2, 3)"),
                   path + ": big-endian dtype '>f4' is not supported"));
    CHECK(contains(fieldError("'>i4'", "False", "(2, 3)"), "big-endian"));
  }
  SECTION("header not a dict") {
    writeFile(path, npyImage("[1, 2, 3]", data));
    CHECK(contains(readError(path), "malformed header (not a dict)"));
  }
  SECTION("malformed dict contents") {
    for (const char *dict :
         {"{'descr': '<f4', 'fortran_order': False}", // missing key
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "
          "'extra': 1}",
          "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
          "'shape': (2, 3)}",
          "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
          "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}",
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x",
          "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}",
          "{'descr': '<f4'\n 'fortran_order': False, 'shape': (2, 3)}",
          "{'descr': '<f4', 'fortran_order': False, 'shape': "
          "(99999999999999999999,)}",
          "{'descr': '<f4', 'fortran_order': False, 'shape': "
          "(4294967296, 4294967296)}"}) {
      INFO(dict);
      writeFile(path, npyImage(dict, data));
      std::string error = readError(path);
      CHECK((contains(error, "malformed header") ||
             contains(error, "too large")));
    }
  }
}

TEST_CASE("writeNpy fails cleanly", "[npy]") {
  TempDir dir;
  std::string error;
  HostArray array = HostArray::zeros(DType::F32, {2, 2});

  SECTION("directory does not exist") {
    std::string path = "/nonexistent-dir/x.npy";
    CHECK_FALSE(writeNpy(path, array, error));
    CHECK(error.rfind(path + ": ", 0) == 0);
    CHECK(contains(error, "No such file or directory"));
    CHECK_FALSE(exists(path));
  }
  SECTION("target is a directory: rename fails, temporary removed") {
    std::string path = dir.file("sub.npy");
    REQUIRE(mkdir(path.c_str(), 0755) == 0);
    CHECK_FALSE(writeNpy(path, array, error));
    CHECK(error.rfind(path + ": ", 0) == 0);
    CHECK(error.find('\n') == std::string::npos);
    CHECK(dir.entries() == std::vector<std::string>{"sub.npy"});
  }
  SECTION("data size does not match the shape") {
    std::string path = dir.file("bad.npy");
    array.data.pop_back();
    CHECK_FALSE(writeNpy(path, array, error));
    CHECK(contains(error, "needs 16 bytes but the array holds 15"));
    CHECK(dir.entries().empty());
  }
  SECTION("overwriting an existing file replaces it") {
    std::string path = dir.file("o.npy");
    writeFile(path, "old contents");
    setFromDouble(array, 3, 7.0);
    REQUIRE(writeNpy(path, array, error));
    std::optional<HostArray> back = readNpy(path, error);
    REQUIRE(back.has_value());
    CHECK(getAsDouble(*back, 3) == 7.0);
    CHECK(dir.entries() == std::vector<std::string>{"o.npy"});
  }
}

TEST_CASE("half conversion on known bit patterns", "[npy][half]") {
  const float inf = std::numeric_limits<float>::infinity();
  const float minSub = std::ldexp(1.0f, -24);
  struct Case {
    uint16_t bits;
    float value;
  } exact[] = {{0x3C00, 1.0f},
               {0xC000, -2.0f},
               {0x7BFF, 65504.0f},
               {0x0001, minSub},
               {0x03FF, 1023 * minSub},
               {0x0400, std::ldexp(1.0f, -14)},
               {0x3555, 0.333251953125f},
               {0x0000, 0.0f},
               {0x7C00, inf},
               {0xFC00, -inf}};
  for (const Case &c : exact) {
    INFO("bits 0x" << std::hex << c.bits);
    CHECK(halfToFloat(c.bits) == c.value);
    CHECK(floatToHalf(c.value) == c.bits);
  }
  CHECK(floatToHalf(-0.0f) == 0x8000);
  CHECK(std::signbit(halfToFloat(0x8000)));
  CHECK(std::isnan(halfToFloat(0x7E00)));
  CHECK(std::isnan(halfToFloat(0xFC01)));
  uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan & 0x7C00) == 0x7C00);
  CHECK((nan & 0x03FF) != 0);

  // Rounding: to nearest, ties to even.
  CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);     // tie, down
  CHECK(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02); // tie, up
  CHECK(floatToHalf(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)) ==
        0x3C01);
  CHECK(floatToHalf(65519.0f) == 0x7BFF);
  CHECK(floatToHalf(65520.0f) == 0x7C00); // tie between 65504 and 2^16
  CHECK(floatToHalf(1e10f) == 0x7C00);
  CHECK(floatToHalf(-1e10f) == 0xFC00);
  CHECK(floatToHalf(minSub / 2) == 0x0000); // tie between 0 and minSub
  CHECK(floatToHalf(std::nextafter(minSub / 2, 1.0f)) == 0x0001);
  CHECK(floatToHalf(3 * minSub / 2) == 0x0002);   // tie between 1 and 2 ulps
  CHECK(floatToHalf(1023.5f * minSub) == 0x0400); // into the normal range
  CHECK(floatToHalf(std::ldexp(1.0f, -30)) == 0x0000);
  CHECK(floatToHalf(-std::ldexp(1.0f, -30)) == 0x8000);

  // Every non-NaN half survives half -> float -> half.
  int mismatches = 0;
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    float f = halfToFloat(static_cast<uint16_t>(bits));
    bool isNaN = (bits & 0x7C00) == 0x7C00 && (bits & 0x03FF);
    if (isNaN ? !std::isnan(f) || !std::isnan(halfToFloat(floatToHalf(f)))
              : floatToHalf(f) != bits)
      ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("bfloat16 conversion on known bit patterns", "[npy][half]") {
  CHECK(bf16ToFloat(0x3F80) == 1.0f);
  CHECK(floatToBf16(1.0f) == 0x3F80);
  CHECK(bf16ToFloat(0xC000) == -2.0f);
  CHECK(floatToBf16(-2.0f) == 0xC000);
  CHECK(bf16ToFloat(0x7F80) == std::numeric_limits<float>::infinity());
  CHECK(bf16ToFloat(0x0001) == std::ldexp(1.0f, -133)); // smallest subnormal
  CHECK(floatToBf16(std::ldexp(1.0f, -133)) == 0x0001);
  CHECK(std::isnan(bf16ToFloat(0x7FC0)));
  CHECK(std::isnan(bf16ToFloat(floatToBf16(std::nanf("")))));
  CHECK(floatToBf16(-0.0f) == 0x8000);

  CHECK(floatToBf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);     // tie, down
  CHECK(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3F82); // tie, up
  CHECK(floatToBf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)) ==
        0x3F81);
  CHECK(floatToBf16(std::numeric_limits<float>::max()) == 0x7F80);
  CHECK(floatToBf16(std::numeric_limits<float>::denorm_min()) == 0x0000);

  // Against the usual bit trick (round the low 16 bits, ties to even).
  uint32_t state = 12345;
  int mismatches = 0;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1664525u + 1013904223u;
    uint32_t x = state;
    float f;
    std::memcpy(&f, &x, sizeof(f));
    if (std::isnan(f))
      continue;
    uint16_t expected =
        static_cast<uint16_t>((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
    if (floatToBf16(f) != expected)
      ++mismatches;
  }
  CHECK(mismatches == 0);

  // Every non-NaN bf16 survives bf16 -> float -> bf16.
  mismatches = 0;
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    float f = bf16ToFloat(static_cast<uint16_t>(bits));
    if (!std::isnan(f) && floatToBf16(f) != bits)
      ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("getAsDouble and setFromDouble", "[npy]") {
  SECTION("f16 and bf16 round directly from double") {
    // 1 + 2^-11 + 2^-40 is just above the f16 tie between 0x3C00 and 0x3C01;
    // going through f32 first would drop the 2^-40 and round to even.
    double v = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
    HostArray half = HostArray::zeros(DType::F16, {1});
    setFromDouble(half, 0, v);
    CHECK(getAsDouble(half, 0) == halfToFloat(0x3C01));
    HostArray bf = HostArray::zeros(DType::BF16, {1});
    setFromDouble(bf, 0, 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40));
    CHECK(getAsDouble(bf, 0) == bf16ToFloat(0x3F81));
  }
  SECTION("f32") {
    HostArray a = HostArray::zeros(DType::F32, {2});
    setFromDouble(a, 1, 0.1);
    CHECK(getAsDouble(a, 1) == static_cast<double>(0.1f));
    CHECK(getAsDouble(a, 0) == 0.0);
  }
  SECTION("integers round to nearest even and saturate") {
    HostArray i8 = HostArray::zeros(DType::I8, {8});
    const double in[] = {300, -300, 2.5, 3.5, -1.5, std::nan(""), 127.4, -7};
    const double out[] = {127, -128, 2, 4, -2, 0, 127, -7};
    for (int i = 0; i < 8; ++i) {
      setFromDouble(i8, i, in[i]);
      CHECK(getAsDouble(i8, i) == out[i]);
    }
    HostArray i32 = HostArray::zeros(DType::I32, {3});
    setFromDouble(i32, 0, 3e9);
    setFromDouble(i32, 1, -3e9);
    setFromDouble(i32, 2, -123456.0);
    CHECK(getAsDouble(i32, 0) == 2147483647.0);
    CHECK(getAsDouble(i32, 1) == -2147483648.0);
    CHECK(getAsDouble(i32, 2) == -123456.0);
  }
  SECTION("i1 stores value != 0") {
    HostArray b = HostArray::zeros(DType::I1, {4});
    setFromDouble(b, 0, 0.0);
    setFromDouble(b, 1, 0.25);
    setFromDouble(b, 2, -3.0);
    setFromDouble(b, 3, -0.0);
    CHECK(b.data == std::vector<uint8_t>{0, 1, 1, 0});
  }
}
