//===- KernelMetadata.cpp - AMDGPU code-object kernel metadata ------------===//

#include "runtime/KernelMetadata.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/MsgPackDocument.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace attn::runtime;
using llvm::createStringError;
using llvm::inconvertibleErrorCode;

std::vector<const KernelArgument *> KernelInfo::explicitArgs() const {
  std::vector<const KernelArgument *> out;
  for (const KernelArgument &arg : args)
    if (!arg.isHidden())
      out.push_back(&arg);
  return out;
}

static llvm::Error metadataError(const llvm::Twine &what) {
  return createStringError(inconvertibleErrorCode(),
                           "code object metadata: " + what.str());
}

/// The msgpack blob of the NT_AMDGPU_METADATA note.
static llvm::Expected<llvm::StringRef>
findMetadataNote(llvm::ArrayRef<uint8_t> codeObject) {
  auto elf = llvm::object::ELF64LEFile::create(llvm::StringRef(
      reinterpret_cast<const char *>(codeObject.data()), codeObject.size()));
  if (!elf)
    return createStringError(inconvertibleErrorCode(),
                             "not an AMDGPU code object: " +
                                 llvm::toString(elf.takeError()));
  if (elf->getHeader().e_machine != llvm::ELF::EM_AMDGPU)
    return createStringError(inconvertibleErrorCode(),
                             "not an AMDGPU code object (ELF machine is not "
                             "AMDGPU)");
  auto sections = elf->sections();
  if (!sections)
    return sections.takeError();
  for (const auto &section : *sections) {
    if (section.sh_type != llvm::ELF::SHT_NOTE)
      continue;
    llvm::Error err = llvm::Error::success();
    for (const auto &note : elf->notes(section, err)) {
      if (note.getName() == "AMDGPU" &&
          note.getType() == llvm::ELF::NT_AMDGPU_METADATA) {
        llvm::ArrayRef<uint8_t> desc = note.getDesc(section.sh_addralign);
        llvm::consumeError(std::move(err));
        return llvm::StringRef(reinterpret_cast<const char *>(desc.data()),
                               desc.size());
      }
    }
    if (err)
      return std::move(err);
  }
  return metadataError("no NT_AMDGPU_METADATA note (code object v3 or "
                       "newer expected)");
}

namespace {
/// Typed reads from a msgpack map with clear errors.
class MapReader {
public:
  MapReader(llvm::msgpack::MapDocNode &map, std::string where)
      : map(map), where(std::move(where)) {}

  llvm::Error uint(llvm::StringRef key, uint64_t &out, bool required) {
    auto it = map.find(key);
    if (it == map.end())
      return required ? metadataError(where + " has no " + key)
                      : llvm::Error::success();
    llvm::msgpack::DocNode &node = it->second;
    if (node.getKind() == llvm::msgpack::Type::UInt)
      out = node.getUInt();
    else if (node.getKind() == llvm::msgpack::Type::Int && node.getInt() >= 0)
      out = node.getInt();
    else
      return metadataError(where + " " + key + " is not an unsigned integer");
    return llvm::Error::success();
  }

  llvm::Error string(llvm::StringRef key, std::string &out, bool required) {
    auto it = map.find(key);
    if (it == map.end())
      return required ? metadataError(where + " has no " + key)
                      : llvm::Error::success();
    if (it->second.getKind() != llvm::msgpack::Type::String)
      return metadataError(where + " " + key + " is not a string");
    out = it->second.getString().str();
    return llvm::Error::success();
  }

private:
  llvm::msgpack::MapDocNode &map;
  std::string where;
};
} // namespace

llvm::Expected<std::vector<KernelInfo>>
attn::runtime::readKernelMetadata(llvm::ArrayRef<uint8_t> codeObject) {
  auto blob = findMetadataNote(codeObject);
  if (!blob)
    return blob.takeError();
  llvm::msgpack::Document doc;
  if (!doc.readFromBlob(*blob, /*Multi=*/false))
    return metadataError("the note is not valid MessagePack");
  if (!doc.getRoot().isMap())
    return metadataError("the root is not a map");
  auto &root = doc.getRoot().getMap();
  auto kernels = root.find("amdhsa.kernels");
  if (kernels == root.end() || !kernels->second.isArray())
    return metadataError("no amdhsa.kernels array");
  std::vector<KernelInfo> out;
  for (llvm::msgpack::DocNode &node : kernels->second.getArray()) {
    if (!node.isMap())
      return metadataError("a kernel entry is not a map");
    KernelInfo info;
    MapReader kernel(node.getMap(), "kernel");
    if (auto e = kernel.string(".name", info.name, true))
      return std::move(e);
    MapReader reader(node.getMap(), "kernel " + info.name);
    if (auto e = reader.string(".symbol", info.symbol, false))
      return std::move(e);
    if (auto e =
            reader.uint(".kernarg_segment_size", info.kernargSegmentSize, true))
      return std::move(e);
    if (auto e = reader.uint(".kernarg_segment_align", info.kernargSegmentAlign,
                             true))
      return std::move(e);
    if (auto e = reader.uint(".group_segment_fixed_size",
                             info.groupSegmentFixedSize, false))
      return std::move(e);
    if (auto e = reader.uint(".private_segment_fixed_size",
                             info.privateSegmentFixedSize, false))
      return std::move(e);
    if (auto e = reader.uint(".wavefront_size", info.wavefrontSize, false))
      return std::move(e);
    if (auto e = reader.uint(".max_flat_workgroup_size",
                             info.maxFlatWorkgroupSize, false))
      return std::move(e);
    auto args = node.getMap().find(".args");
    if (args != node.getMap().end()) {
      if (!args->second.isArray())
        return metadataError("kernel " + info.name + " .args is not an array");
      size_t index = 0;
      for (llvm::msgpack::DocNode &argNode : args->second.getArray()) {
        std::string where =
            "kernel " + info.name + " argument " + std::to_string(index++);
        if (!argNode.isMap())
          return metadataError(where + " is not a map");
        MapReader arg(argNode.getMap(), where);
        KernelArgument a;
        if (auto e = arg.string(".name", a.name, false))
          return std::move(e);
        if (auto e = arg.string(".value_kind", a.valueKind, true))
          return std::move(e);
        if (auto e = arg.uint(".offset", a.offset, true))
          return std::move(e);
        if (auto e = arg.uint(".size", a.size, true))
          return std::move(e);
        info.args.push_back(std::move(a));
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

/// Checks that every argument lies inside the segment, at an offset aligned
/// for its size, and that no two overlap.
static llvm::Error checkLayout(const KernelInfo &kernel) {
  uint64_t end = 0;
  for (const KernelArgument &arg : kernel.args) {
    std::string what = "kernel " + kernel.name + " argument at offset " +
                       std::to_string(arg.offset);
    if (arg.size == 0)
      return metadataError(what + " has size 0");
    if (arg.offset + arg.size > kernel.kernargSegmentSize)
      return metadataError(what + " (" + std::to_string(arg.size) +
                           " bytes) ends past the kernarg segment (" +
                           std::to_string(kernel.kernargSegmentSize) +
                           " bytes)");
    uint64_t align = std::min<uint64_t>(llvm::PowerOf2Ceil(arg.size), 8);
    if (arg.offset % align)
      return metadataError(what + " is not " + std::to_string(align) +
                           "-byte aligned");
    if (arg.offset < end)
      return metadataError(what + " overlaps the previous argument");
    end = arg.offset + arg.size;
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<uint8_t>>
attn::runtime::packKernelArguments(const KernelInfo &kernel,
                                   llvm::ArrayRef<void *> params) {
  if (auto e = checkLayout(kernel))
    return std::move(e);
  std::vector<const KernelArgument *> explicitArgs = kernel.explicitArgs();
  if (explicitArgs.size() != params.size())
    return createStringError(
        inconvertibleErrorCode(),
        "kernel " + kernel.name + " takes " +
            std::to_string(explicitArgs.size()) +
            " arguments by its metadata, the launch passes " +
            std::to_string(params.size()));
  std::vector<uint8_t> kernarg(kernel.kernargSegmentSize, 0);
  for (auto [arg, param] : llvm::zip(explicitArgs, params)) {
    if (!param)
      return createStringError(
          inconvertibleErrorCode(),
          "kernel " + kernel.name +
              ": null pointer for the argument at offset " +
              std::to_string(arg->offset));
    std::memcpy(kernarg.data() + arg->offset, param, arg->size);
  }
  return kernarg;
}

void attn::runtime::fillHiddenArguments(const KernelInfo &kernel,
                                        const uint64_t grid[3],
                                        const uint64_t block[3],
                                        std::vector<uint8_t> &kernarg) {
  auto put = [&](const KernelArgument &arg, uint64_t value) {
    if (arg.offset + arg.size <= kernarg.size())
      std::memcpy(kernarg.data() + arg.offset, &value,
                  std::min<uint64_t>(arg.size, sizeof(value)));
  };
  // Code object v5 hidden arguments (AMDGPU LLVM docs, "Code Object V5
  // Metadata"); the ones our kernels may read.
  static const char *const axes[] = {"x", "y", "z"};
  for (const KernelArgument &arg : kernel.args) {
    for (int d = 0; d < 3; ++d) {
      if (arg.valueKind == std::string("hidden_block_count_") + axes[d])
        put(arg, grid[d]);
      else if (arg.valueKind == std::string("hidden_group_size_") + axes[d])
        put(arg, block[d]);
      else if (arg.valueKind == std::string("hidden_remainder_") + axes[d])
        put(arg, 0); // grids are whole workgroups
      else if (arg.valueKind == std::string("hidden_global_offset_") + axes[d])
        put(arg, 0);
    }
    if (arg.valueKind == "hidden_grid_dims")
      put(arg, grid[2] > 1 ? 3 : grid[1] > 1 ? 2 : 1);
  }
}
