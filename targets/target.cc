#include "targets/target.h"

#include "absl/strings/str_cat.h"

namespace kiln::targets {

std::string Target::ToString() const {
  std::string s = kind;
  if (cpu_preset != "x86-64") absl::StrAppend(&s, " -mcpu=", cpu_preset);
  if (!mattr_option.empty()) absl::StrAppend(&s, " -mattr=", mattr_option);
  if (num_cores_given) absl::StrAppend(&s, " -num-cores=", num_cores);
  return s;
}

}  // namespace kiln::targets
