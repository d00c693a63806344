//===- ShapeSpecialization.cpp - entry functions at their inputs' shapes --===//

#include "codegen/ShapeSpecialization.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

bool mlir::attn::hasDynamicShapes(func::FuncOp func) {
  auto dynamic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && !shaped.hasStaticShape();
  };
  return llvm::any_of(func.getArgumentTypes(), dynamic) ||
         llvm::any_of(func.getResultTypes(), dynamic);
}

LogicalResult mlir::attn::specializeArgumentShapes(
    func::FuncOp func, const std::vector<std::vector<int64_t>> &shapes,
    std::string &error) {
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  SmallVector<Type> argTypes(func.getArgumentTypes());
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape() || i >= shapes.size())
      continue;
    ArrayRef<int64_t> shape = shapes[i];
    if (shape.size() != size_t(type.getRank()) ||
        llvm::any_of(llvm::zip(type.getShape(), shape), [](auto pair) {
          auto [want, got] = pair;
          return !ShapedType::isDynamic(want) && want != got;
        })) {
      error = "argument #" + std::to_string(i) +
              " does not have the shape of its input";
      return failure();
    }
    auto staticType = RankedTensorType::get(shape, type.getElementType());
    arg.setType(staticType);
    auto cast = tensor::CastOp::create(b, arg.getLoc(), type, arg);
    arg.replaceAllUsesExcept(cast, cast);
    argTypes[i] = staticType;
  }
  func.setFunctionType(
      b.getFunctionType(argTypes, func.getFunctionType().getResults()));
  // The casts fold into their users (tensor.dim, tensor.empty, linalg and
  // attn ops all have the canonicalizations).
  PassManager pm(func.getContext(), func::FuncOp::getOperationName());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(func))) {
    error = "canonicalization after shape specialization failed";
    return failure();
  }
  return success();
}
