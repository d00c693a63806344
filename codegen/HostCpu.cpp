//===- HostCpu.cpp - the host's vector unit -------------------------------===//

#include "codegen/HostCpu.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir::attn;

HostVectorUnit mlir::attn::vectorUnitOfWidth(unsigned bits) {
  // x86: 32 zmm registers with AVX-512, 16 xmm/ymm otherwise. Half of them
  // (at most 24) hold accumulators; a row spans up to 4 registers.
  int64_t registers = bits >= 512 ? 32 : 16;
  return {bits, registers >= 32 ? 24 : 12, 4};
}

HostVectorUnit mlir::attn::hostVectorUnit() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return vectorUnitOfWidth(512);
  if (features.lookup("avx2") || features.lookup("avx"))
    return vectorUnitOfWidth(256);
  return vectorUnitOfWidth(128);
}

bool mlir::attn::hostHasBF16DotProduct() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512bf16") && features.lookup("avx512f");
}

int64_t mlir::attn::chooseRowTile(int64_t rows, int64_t requested,
                                  bool stridedValueCopies) {
  if (requested != 0)
    return requested;
  if (ShapedType::isDynamic(rows))
    return kSmallMTile;
  // Fewest padded rows; the larger tile on a tie.
  int64_t best = kSmallMTile;
  for (int64_t tile : {kLargeMTile, kStridedValuesMTile}) {
    if (tile == kStridedValuesMTile && !stridedValueCopies)
      continue;
    if (llvm::alignTo(rows, tile) <= llvm::alignTo(rows, best))
      best = tile;
  }
  return best;
}

bool mlir::attn::convertsStridedValueBlocks(Value value, AffineMap valueMap,
                                            llvm::ArrayRef<unsigned> keyDims) {
  auto inner = dyn_cast<AffineDimExpr>(valueMap.getResults().back());
  return getElementTypeOrSelf(value.getType()).isF16() && inner &&
         llvm::is_contained(keyDims, inner.getPosition());
}
