#include "tuners/lazy_permutation.h"

namespace kiln::tuners {

int64_t LazyPermutation::ValueAt(int64_t position) const {
  auto it = moved_.find(position);
  return it == moved_.end() ? position : it->second;
}

std::optional<int64_t> LazyPermutation::Next(std::mt19937_64& rng) {
  if (drawn_ >= n_) return std::nullopt;
  std::uniform_int_distribution<int64_t> pick(drawn_, n_ - 1);
  int64_t j = pick(rng);
  int64_t value = ValueAt(j);
  if (j != drawn_) moved_[j] = ValueAt(drawn_);
  moved_.erase(drawn_);  // position drawn_ is never looked at again
  ++drawn_;
  return value;
}

}  // namespace kiln::tuners
