// A compilation target: what codegen needs to emit code (triple, CPU,
// features) and what schedules need to shape loops (vector width, registers,
// caches, cores).
//
// Targets are parsed from TVM-style strings such as
//   "llvm", "llvm -mcpu=skylake-avx512", "llvm -mcpu=native -num-cores=2",
//   "llvm -mattr=+avx2,+fma"
// by target plugins registered in TargetKindRegistry() (see target_registry.h).
#ifndef KILN_TARGETS_TARGET_H_
#define KILN_TARGETS_TARGET_H_

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::targets {

struct Target {
  std::string kind;         // "llvm"
  std::string triple;       // "x86_64-pc-linux-gnu"
  std::string mcpu;         // LLVM CPU name: "x86-64", "skylake-avx512", ...
  std::string mattr;        // LLVM feature string: "+avx2,+fma,-avx512f"
  int vector_lanes = 8;     // float32 lanes of the widest usable vector
  int vector_registers = 16;
  bool has_fma = false;
  int64_t l1d_bytes = 32 * 1024;
  int64_t l2_bytes = 1024 * 1024;
  int64_t l3_bytes = 8 * 1024 * 1024;
  int num_cores = 1;        // threads schedules should plan for
  // The CPU preset the string named ("x86-64", "skylake-avx512", "native")
  // and the -mattr modifications given, kept to print the target back.
  std::string cpu_preset = "x86-64";
  std::string mattr_option;
  bool num_cores_given = false;

  // The canonical string this target parses back from.
  std::string ToString() const;
};

}  // namespace kiln::targets

#endif  // KILN_TARGETS_TARGET_H_
