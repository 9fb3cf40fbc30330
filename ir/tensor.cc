#include "ir/tensor.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "ir/functor.h"

namespace kiln::ir {

int64_t TensorNode::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string TensorName(const Tensor& tensor) { return tensor->name; }

Expr TensorRead(Tensor tensor, std::vector<Expr> indices) {
  CHECK(tensor != nullptr) << "read of a null tensor";
  CHECK_EQ(indices.size(), tensor->shape.size())
      << "tensor " << tensor->name << " has rank " << tensor->shape.size();
  for (Expr& i : indices) {
    CHECK(i.defined() && i.dtype().is_int() && i.dtype().is_scalar())
        << "index of " << tensor->name << " must be a scalar integer";
    if (i.dtype().scalar() != ScalarType::kInt64) i = Cast(DataType::Int64(), i);
  }
  DataType t = tensor->dtype;
  return Expr(std::make_shared<TensorReadNode>(t, std::move(tensor), std::move(indices)));
}

Expr Read(const Tensor& tensor, std::vector<Expr> indices) {
  return TensorRead(tensor, std::move(indices));
}

Tensor Placeholder(std::string name, std::vector<int64_t> shape, DataType dtype) {
  for (int64_t d : shape) CHECK_GT(d, 0) << "placeholder " << name << " has a dimension " << d;
  auto t = std::make_shared<TensorNode>();
  t->name = std::move(name);
  t->dtype = dtype;
  t->shape = std::move(shape);
  return t;
}

Tensor Compute(std::string name, std::vector<int64_t> shape,
               const std::function<Expr(const std::vector<Var>&)>& body,
               std::vector<std::string> axis_names) {
  CHECK(axis_names.empty() || axis_names.size() == shape.size())
      << "compute " << name << ": " << axis_names.size() << " names for rank "
      << shape.size();
  auto t = std::make_shared<TensorNode>();
  t->name = std::move(name);
  t->shape = std::move(shape);
  std::vector<Var> vars;
  for (size_t i = 0; i < t->shape.size(); ++i) {
    CHECK_GT(t->shape[i], 0) << "compute " << t->name << " has a dimension " << t->shape[i];
    std::string axis_name = axis_names.empty() ? absl::StrCat("i", i) : axis_names[i];
    t->axes.push_back(MakeIterVar(std::move(axis_name), 0, t->shape[i],
                                  IterVarKind::kDataParallel));
    vars.push_back(t->axes.back()->var);
  }
  t->body = body(vars);
  CHECK(t->body.defined() && t->body.dtype().is_scalar())
      << "compute " << t->name << " must produce a scalar";
  t->dtype = t->body.dtype();
  return t;
}

IterVar ReduceAxis(int64_t extent, std::string name) {
  CHECK_GT(extent, 0) << "reduce axis " << name << " of extent " << extent;
  return MakeIterVar(std::move(name), 0, extent, IterVarKind::kReduce);
}

Expr Sum(Expr source, std::vector<IterVar> axes, Expr condition) {
  return Reduce(ReduceOp::kSum, std::move(source), std::move(axes), std::move(condition));
}
Expr MaxOf(Expr source, std::vector<IterVar> axes, Expr condition) {
  return Reduce(ReduceOp::kMax, std::move(source), std::move(axes), std::move(condition));
}
Expr MinOf(Expr source, std::vector<IterVar> axes, Expr condition) {
  return Reduce(ReduceOp::kMin, std::move(source), std::move(axes), std::move(condition));
}
Expr ProductOf(Expr source, std::vector<IterVar> axes, Expr condition) {
  return Reduce(ReduceOp::kProd, std::move(source), std::move(axes), std::move(condition));
}

std::vector<Tensor> InputTensors(const Tensor& tensor) {
  class Collector : public ExprVisitor {
   public:
    std::vector<Tensor> found;

   protected:
    void VisitTensorRead(const TensorReadNode* op) override {
      if (seen_.insert(op->tensor.get()).second) found.push_back(op->tensor);
      ExprVisitor::VisitTensorRead(op);
    }

   private:
    absl::flat_hash_set<const TensorNode*> seen_;
  };
  Collector collector;
  collector.Visit(tensor->body);
  return collector.found;
}

}  // namespace kiln::ir
