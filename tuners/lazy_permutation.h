// A uniformly random permutation of [0, n) drawn one element at a time in
// O(1) time and O(drawn) memory: sampling without replacement from config
// spaces far too large to shuffle (Fisher-Yates with the swaps kept in a
// hash map instead of an array).
#ifndef KILN_TUNERS_LAZY_PERMUTATION_H_
#define KILN_TUNERS_LAZY_PERMUTATION_H_

#include <cstdint>
#include <optional>
#include <random>

#include "absl/container/flat_hash_map.h"

namespace kiln::tuners {

class LazyPermutation {
 public:
  explicit LazyPermutation(int64_t n) : n_(n) {}

  // The next element, or nullopt once all n have been drawn. The sequence
  // depends only on n and the generator's state.
  std::optional<int64_t> Next(std::mt19937_64& rng);

  int64_t remaining() const { return n_ - drawn_; }

 private:
  int64_t ValueAt(int64_t position) const;

  int64_t n_;
  int64_t drawn_ = 0;
  // Positions >= drawn_ whose value is not their own position.
  absl::flat_hash_map<int64_t, int64_t> moved_;
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_LAZY_PERMUTATION_H_
