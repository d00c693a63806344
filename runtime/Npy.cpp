//===- Npy.cpp - .npy reader and writer -----------------------------------===//
//
// Format reference: numpy/lib/format.py. A file is the magic "\x93NUMPY", a
// major and minor version byte, a little-endian header length (2 bytes in
// 1.0, 4 bytes in 2.0/3.0), an ASCII Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" padded with
// spaces and a final '\n' so the data starts 64-byte aligned, then the raw
// element bytes.
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"

#include <atomic>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy I/O assumes a little-endian host"
#endif

using namespace attn::runtime;

/// Byte size of `shape` x `dtype`, or nullopt on a negative dim or overflow.
static std::optional<uint64_t> byteSize(const std::vector<int64_t> &shape,
                                        DType dtype) {
  uint64_t bytes = dtypeSize(dtype);
  const uint64_t limit = std::numeric_limits<int64_t>::max();
  for (int64_t dim : shape) {
    if (dim < 0)
      return std::nullopt;
    if (dim != 0 && bytes > limit / static_cast<uint64_t>(dim))
      return std::nullopt;
    bytes *= static_cast<uint64_t>(dim);
  }
  return bytes;
}

//===----------------------------------------------------------------------===//
// Header parsing
//===----------------------------------------------------------------------===//

namespace {
/// Keeps error messages on one line: control and non-ASCII bytes in text
/// taken from a file are shown as '?', and long text is cut.
std::string printable(const std::string &text, size_t maxLen = 60) {
  std::string out;
  for (char c : text.substr(0, maxLen))
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > maxLen)
    out += "...";
  return out;
}

struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Recursive-descent parser for the restricted dict literal numpy writes.
class HeaderParser {
public:
  explicit HeaderParser(std::string text) : text(std::move(text)) {}

  /// Returns an error message, or an empty string on success.
  std::string parse(Header &header) {
    skipSpace();
    if (!consume('{'))
      return "malformed header (not a dict): '" + printable(text) + "'";
    bool seenDescr = false, seenFortran = false, seenShape = false;
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return malformed("expected a quoted key");
      skipSpace();
      if (!consume(':'))
        return malformed("expected ':' after key '" + printable(key) + "'");
      skipSpace();
      bool *seen = key == "descr"           ? &seenDescr
                   : key == "fortran_order" ? &seenFortran
                   : key == "shape"         ? &seenShape
                                            : nullptr;
      if (!seen)
        return malformed("unexpected key '" + printable(key) + "'");
      if (*seen)
        return malformed("duplicate key '" + key + "'");
      *seen = true;
      if (key == "descr") {
        if (peek() == '[')
          return "unsupported dtype: structured (record) dtypes are not "
                 "supported";
        if (!parseString(header.descr))
          return malformed("'descr' is not a string");
      } else if (key == "fortran_order") {
        if (!parseBool(header.fortranOrder))
          return malformed("'fortran_order' is not True or False");
      } else if (std::string err = parseShape(header.shape); !err.empty()) {
        return malformed(err);
      }
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return malformed("expected ',' or '}'");
    }
    skipSpace();
    if (pos != text.size())
      return malformed("unexpected text after the dict");
    if (!seenDescr)
      return malformed("missing key 'descr'");
    if (!seenFortran)
      return malformed("missing key 'fortran_order'");
    if (!seenShape)
      return malformed("missing key 'shape'");
    return "";
  }

private:
  std::string malformed(const std::string &what) const {
    return "malformed header: " + what + " at offset " + std::to_string(pos) +
           " in '" + printable(text) + "'";
  }
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  bool consumeWord(const char *word) {
    size_t len = std::strlen(word);
    if (text.compare(pos, len, word) != 0)
      return false;
    pos += len;
    return true;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return false;
    size_t end = text.find(quote, pos + 1);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return true;
  }
  bool parseBool(bool &out) {
    if (consumeWord("True"))
      out = true;
    else if (consumeWord("False"))
      out = false;
    else
      return false;
    return true;
  }
  /// A tuple of non-negative ints: "()", "(3,)", "(2, 3)"; Python 2 files may
  /// carry an 'L' suffix on each int.
  std::string parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return "'shape' is not a tuple";
    while (true) {
      skipSpace();
      if (consume(')'))
        return "";
      if (peek() == '-')
        return "negative dimension in 'shape'";
      if (peek() < '0' || peek() > '9')
        return "'shape' is not a tuple of integers";
      int64_t dim = 0;
      while (peek() >= '0' && peek() <= '9') {
        int digit = text[pos++] - '0';
        if (dim > (std::numeric_limits<int64_t>::max() - digit) / 10)
          return "dimension in 'shape' is too large";
        dim = dim * 10 + digit;
      }
      consume('L');
      shape.push_back(dim);
      skipSpace();
      if (consume(')'))
        return "";
      if (!consume(','))
        return "expected ',' or ')' in 'shape'";
    }
  }

  std::string text;
  size_t pos = 0;
};
} // namespace

static const char kSupportedDtypes[] = "(supported: f32 '<f4', f16 '<f2', "
                                       "bf16 as '<u2', i1 '|b1', i8 '|i1', "
                                       "i32 '<i4')";

/// Maps a numpy descr to a DType, or returns an error message.
static std::optional<DType> parseDescr(const std::string &descr,
                                       std::string &error) {
  if (descr.size() >= 2 &&
      std::string("<>=|").find(descr[0]) != std::string::npos) {
    char order = descr[0];
    std::string kind = descr.substr(1);
    if (std::optional<DType> dtype = dtypeFromNpyKind(kind)) {
      // Byte order is irrelevant for one-byte types.
      if (dtypeSize(*dtype) == 1)
        return dtype;
      if (order == '>') {
        error = "big-endian dtype '" + descr +
                "' is not supported (convert with .astype('<" + kind + "'))";
        return std::nullopt;
      }
      if (order != '|')
        return dtype;
    }
  }
  error = "unsupported dtype '" + printable(descr) + "' " + kSupportedDtypes;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static const char kMagic[] = "\x93NUMPY";
static const size_t kMagicLen = 6;

std::optional<HostArray> attn::runtime::readNpy(const std::string &path,
                                                std::string &error) {
  auto fail = [&](const std::string &message) -> std::optional<HostArray> {
    error = path + ": " + message;
    return std::nullopt;
  };

  struct Closer {
    void operator()(FILE *f) const { std::fclose(f); }
  };
  std::unique_ptr<FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (fstat(fileno(file.get()), &st) != 0)
    return fail(std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail("not a regular file");
  uint64_t fileSize = st.st_size;

  auto readBytes = [&](void *buffer, size_t n) {
    return std::fread(buffer, 1, n, file.get()) == n;
  };

  // Magic and version.
  uint8_t preamble[8];
  size_t got = std::fread(preamble, 1, sizeof(preamble), file.get());
  if (got < kMagicLen || std::memcmp(preamble, kMagic, kMagicLen) != 0)
    return fail("not a .npy file (bad magic)");
  if (got < sizeof(preamble))
    return fail("truncated header (file ends inside the preamble)");
  unsigned major = preamble[6], minor = preamble[7];
  size_t lengthBytes;
  if (major == 1 && minor == 0)
    lengthBytes = 2;
  else if ((major == 2 || major == 3) && minor == 0)
    lengthBytes = 4;
  else
    return fail("unsupported .npy format version " + std::to_string(major) +
                "." + std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");

  // Header length and header.
  uint8_t lengthField[4] = {0, 0, 0, 0};
  if (!readBytes(lengthField, lengthBytes))
    return fail("truncated header (file ends inside the preamble)");
  uint64_t headerLength = 0;
  for (size_t i = 0; i < lengthBytes; ++i)
    headerLength |= static_cast<uint64_t>(lengthField[i]) << (8 * i);
  uint64_t dataOffset = sizeof(preamble) + lengthBytes + headerLength;
  if (dataOffset > fileSize)
    return fail("truncated header: header length is " +
                std::to_string(headerLength) + " bytes but only " +
                std::to_string(fileSize - sizeof(preamble) - lengthBytes) +
                " bytes follow the preamble");
  std::string headerText(headerLength, '\0');
  if (!readBytes(headerText.data(), headerLength))
    return fail(std::string("read error: ") + std::strerror(errno));

  Header header;
  if (std::string err = HeaderParser(headerText).parse(header); !err.empty())
    return fail(err);
  std::string descrError;
  std::optional<DType> dtype = parseDescr(header.descr, descrError);
  if (!dtype)
    return fail(descrError);
  if (header.fortranOrder)
    return fail("Fortran-order arrays are not supported (save a C-order "
                "array, e.g. np.ascontiguousarray)");
  std::optional<uint64_t> expected = byteSize(header.shape, *dtype);
  if (!expected)
    return fail("shape " + formatShape(header.shape) + " is too large");

  // Data: exactly the bytes the header promises.
  uint64_t dataBytes = fileSize - dataOffset;
  if (dataBytes != *expected)
    return fail(
        std::string(dataBytes < *expected ? "truncated" : "trailing data") +
        ": header says " + formatShape(header.shape) + " " + dtypeName(*dtype) +
        " (" + std::to_string(*expected) + " bytes) but file has " +
        std::to_string(dataBytes) + " data bytes");
  HostArray array;
  array.dtype = *dtype;
  array.shape = std::move(header.shape);
  array.data.resize(*expected);
  if (!readBytes(array.data.data(), array.data.size()))
    return fail(std::string("read error: ") + (std::ferror(file.get())
                                                   ? std::strerror(errno)
                                                   : "unexpected end of file"));
  if (array.dtype == DType::I1)
    for (uint8_t &byte : array.data)
      byte = byte != 0;
  return array;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// The complete preamble + header, padded so the data is 64-byte aligned.
static std::string makeHeader(const HostArray &array) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(array.shape[i]);
  shape += array.shape.size() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + npyDescr(array.dtype) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";

  auto build = [&](unsigned major, size_t lengthBytes) {
    size_t unpadded = kMagicLen + 2 + lengthBytes + dict.size() + 1;
    size_t headerLength = dict.size() + 1 + (64 - unpadded % 64) % 64;
    std::string out(kMagic, kMagicLen);
    out += static_cast<char>(major);
    out += '\0';
    for (size_t i = 0; i < lengthBytes; ++i)
      out += static_cast<char>((headerLength >> (8 * i)) & 0xff);
    out += dict;
    out.append(headerLength - dict.size() - 1, ' ');
    out += '\n';
    return out;
  };
  std::string v1 = build(1, 2);
  if (v1.size() - 10 <= 0xffff)
    return v1;
  return build(2, 4);
}

static bool writeAll(int fd, const void *buffer, size_t size) {
  const char *bytes = static_cast<const char *>(buffer);
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    bytes += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool attn::runtime::writeNpy(const std::string &path, const HostArray &array,
                             std::string &error) {
  auto fail = [&](const std::string &message) {
    error = path + ": " + message;
    return false;
  };
  std::optional<uint64_t> expected = byteSize(array.shape, array.dtype);
  if (!expected)
    return fail("cannot write: invalid shape " + formatShape(array.shape));
  if (*expected != array.data.size())
    return fail("cannot write: shape " + formatShape(array.shape) + " " +
                dtypeName(array.dtype) + " needs " + std::to_string(*expected) +
                " bytes but the array holds " +
                std::to_string(array.data.size()));

  std::string header = makeHeader(array);
  return writeFileAtomically(
      path,
      {header,
       std::string_view(reinterpret_cast<const char *>(array.data.data()),
                        array.data.size())},
      error);
}

bool attn::runtime::writeFileAtomically(
    const std::string &path, const std::vector<std::string_view> &chunks,
    std::string &error) {
  auto fail = [&](const std::string &message) {
    error = path + ": " + message;
    return false;
  };
  // Create a fresh temporary next to the target (O_EXCL, mode 0666 so the
  // umask applies as for any new file), write, then rename into place.
  static std::atomic<unsigned> counter{0};
  std::string tmpPath;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    unsigned salt = static_cast<unsigned>(getpid()) * 2654435761u ^
                    static_cast<unsigned>(now.tv_nsec) ^
                    (counter.fetch_add(1) * 40503u);
    char suffix[16];
    std::snprintf(suffix, sizeof(suffix), "%08x", salt);
    tmpPath = path + ".tmp." + suffix;
    fd = ::open(tmpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      return fail(std::string("cannot create: ") + std::strerror(errno));
  }
  if (fd < 0)
    return fail("cannot create a unique temporary file");

  bool ok = true;
  for (std::string_view chunk : chunks)
    ok = ok && writeAll(fd, chunk.data(), chunk.size());
  int savedErrno = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    savedErrno = errno;
  }
  if (ok && std::rename(tmpPath.c_str(), path.c_str()) != 0) {
    savedErrno = errno;
    ::unlink(tmpPath.c_str());
    return fail(std::string("cannot rename temporary file into place: ") +
                std::strerror(savedErrno));
  }
  if (!ok) {
    ::unlink(tmpPath.c_str());
    return fail(std::string("write failed: ") + std::strerror(savedErrno));
  }
  return true;
}
