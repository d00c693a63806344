//===- GraphOpt.cpp - the attn-graph-opt pipeline and registration --------===//

#include "transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::attn::buildGraphOptPipeline(OpPassManager &pm,
                                       const GraphOptPipelineOptions &options) {
  AttnBubbleTransposeVOptions bubble;
  bubble.remarks = options.remarks;
  AttnFuseTransposeProducersOptions fuse;
  fuse.remarks = options.remarks;
  AttnFoldTransposesOptions fold;
  fold.remarks = options.remarks;
  pm.addPass(createAttnBubbleTransposeV(bubble));
  pm.addPass(createAttnFuseTransposeProducers(fuse));
  pm.addPass(createAttnFoldTransposes(fold));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildGraphOptPipeline(OpPassManager &pm) {
  buildGraphOptPipeline(pm, GraphOptPipelineOptions());
}

void mlir::attn::registerAttnPipelines() {
  PassPipelineRegistration<GraphOptPipelineOptions>(
      "attn-graph-opt",
      "Transposed-V graph pipeline: attn-bubble-transpose-v, "
      "attn-fuse-transpose-producers, attn-fold-transposes, canonicalize, cse",
      [](OpPassManager &pm, const GraphOptPipelineOptions &options) {
        buildGraphOptPipeline(pm, options);
      });
}
