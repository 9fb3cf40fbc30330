#include "frontend/converters/converter_util.h"

#include "absl/strings/str_cat.h"

namespace kiln::frontend {

absl::StatusOr<std::vector<int>> Inputs(ImportContext& c, int count) {
  std::vector<int> ids;
  for (int i = 0; i < count; ++i) {
    KILN_ASSIGN(id, c.Input(i));
    ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<std::vector<int64_t>> OptionalConstantInts(ImportContext& c, int i,
                                                          const char* what) {
  if (!c.HasInput(i)) return std::vector<int64_t>{};
  return c.ConstantInts(i, what);
}

absl::StatusOr<std::vector<int64_t>> AxesFromAttribute(ImportContext& c) {
  return c.AttrInts("axes", std::vector<int64_t>{});
}

absl::StatusOr<std::vector<int64_t>> AxesFromInput(ImportContext& c) {
  return OptionalConstantInts(c, 1, "axes");
}

Converter BinaryOp(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.num_inputs() != 2) return c.Unsupported(absl::StrCat(c.num_inputs(), " operands"));
    KILN_ASSIGN(in, Inputs(c, 2));
    return c.Emit(op, in, {});
  };
}

}  // namespace kiln::frontend
