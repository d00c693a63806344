//===- GraphOpt.cpp - the attn-graph-opt pipeline and registration --------===//

#include "transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::attn::buildGraphOptPipeline(OpPassManager &pm) {
  pm.addPass(createAttnBubbleTransposeV());
  pm.addPass(createAttnFuseTransposeProducers());
  pm.addPass(createAttnFoldTransposes());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::registerAttnPipelines() {
  PassPipelineRegistration<>(
      "attn-graph-opt",
      "Transposed-V graph pipeline: attn-bubble-transpose-v, "
      "attn-fuse-transpose-producers, attn-fold-transposes, canonicalize, cse",
      buildGraphOptPipeline);
}
