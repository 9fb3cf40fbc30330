// Tensor expressions: placeholders (inputs) and compute definitions, the
// level at which operators are written (like TVM's te.placeholder and
// te.compute). Tensors read each other through TensorRead, forming a DAG.
#ifndef KILN_IR_TENSOR_H_
#define KILN_IR_TENSOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/expr.h"

namespace kiln::ir {

struct TensorNode {
  std::string name;
  DataType dtype;
  std::vector<int64_t> shape;
  // Compute tensors: one data-parallel axis per output dimension and the value
  // at those axes (possibly a top-level Reduce). Placeholders: both empty.
  std::vector<IterVar> axes;
  Expr body;

  bool is_placeholder() const { return !body.defined(); }
  int64_t num_elements() const;
};

Tensor Placeholder(std::string name, std::vector<int64_t> shape,
                   DataType dtype = DataType::Float32());

// shape.size() axis variables are handed to `body`, named i0, i1, ... unless
// `axis_names` gives names.
Tensor Compute(std::string name, std::vector<int64_t> shape,
               const std::function<Expr(const std::vector<Var>&)>& body,
               std::vector<std::string> axis_names = {});

IterVar ReduceAxis(int64_t extent, std::string name);

Expr Sum(Expr source, std::vector<IterVar> axes, Expr condition = Expr());
Expr MaxOf(Expr source, std::vector<IterVar> axes, Expr condition = Expr());
Expr MinOf(Expr source, std::vector<IterVar> axes, Expr condition = Expr());
Expr ProductOf(Expr source, std::vector<IterVar> axes, Expr condition = Expr());

// tensor(indices...); the index count must match the tensor's rank.
Expr Read(const Tensor& tensor, std::vector<Expr> indices);

// The tensors `tensor` reads directly, in first-use order.
std::vector<Tensor> InputTensors(const Tensor& tensor);

}  // namespace kiln::ir

#endif  // KILN_IR_TENSOR_H_
