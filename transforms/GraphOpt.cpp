//===- GraphOpt.cpp - the attn-graph-opt pipeline and pattern driver ------===//

#include "transforms/Passes.h"
#include "transforms/Transforms.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::attn::buildGraphOptPipeline(OpPassManager &pm,
                                       const GraphOptPipelineOptions &options) {
  // Every graph pass takes the pipeline's remarks setting.
  auto withRemarks = [&](auto passOptions) {
    passOptions.remarks = options.remarks;
    return passOptions;
  };
  pm.addPass(
      createAttnRaiseAttention(withRemarks(AttnRaiseAttentionOptions())));
  pm.addPass(
      createAttnFuseProjections(withRemarks(AttnFuseProjectionsOptions())));
  pm.addPass(
      createAttnBubbleTransposeV(withRemarks(AttnBubbleTransposeVOptions())));
  pm.addPass(createAttnFuseTransposeProducers(
      withRemarks(AttnFuseTransposeProducersOptions())));
  pm.addPass(
      createAttnFoldTransposes(withRemarks(AttnFoldTransposesOptions())));
  pm.addPass(
      createAttnFoldBroadcasts(withRemarks(AttnFoldBroadcastsOptions())));
  pm.addPass(
      createAttnFoldCausalMask(withRemarks(AttnFoldCausalMaskOptions())));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildGraphOptPipeline(OpPassManager &pm) {
  buildGraphOptPipeline(pm, GraphOptPipelineOptions());
}

void mlir::attn::registerAttnPipelines() {
  PassPipelineRegistration<GraphOptPipelineOptions>(
      "attn-graph-opt",
      "Graph pipeline: attn-raise-attention, attn-fuse-projections, "
      "attn-bubble-transpose-v, "
      "attn-fuse-transpose-producers, attn-fold-transposes, "
      "attn-fold-broadcasts, attn-fold-causal-mask, canonicalize, cse",
      [](OpPassManager &pm, const GraphOptPipelineOptions &options) {
        buildGraphOptPipeline(pm, options);
      });
}

LogicalResult mlir::attn::applyGraphPatterns(Operation *op, StringRef pass,
                                             bool remarks,
                                             PopulateGraphPatternsFn populate) {
  DecisionRemarks decisions(pass, remarks);
  RewritePatternSet patterns(op->getContext());
  populate(patterns, &decisions);
  return applyPatternsGreedily(op, std::move(patterns),
                               getGraphRewriteConfig());
}

GreedyRewriteConfig mlir::attn::getGraphRewriteConfig() {
  GreedyRewriteConfig config;
  // Each graph pass considers the candidates present when it starts, in
  // program order (a transpose before the transposes it feeds). What a
  // rewrite creates is final: e.g. a transpose the fusion had to leave is
  // one it already found it could not fuse, and must not be reported again.
  config.setUseTopDownTraversal(true)
      .setStrictness(GreedyRewriteStrictness::ExistingOps)
      // Only the patterns: folding, constant CSE and CFG simplification
      // belong to canonicalize, which attn-graph-opt runs afterwards.
      .enableFolding(false)
      .enableConstantCSE(false)
      .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
  return config;
}
