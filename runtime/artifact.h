// The deployable artifact: one file that is a loadable shared object (the
// compiled kernels) followed by the serialized execution plan (graph and
// parameters) and a fixed-size footer with the format version, the sizes
// and a checksum over everything before it. The dynamic loader ignores the
// trailing bytes, so the same file is both dlopen-ed and read.
#ifndef KILN_RUNTIME_ARTIFACT_H_
#define KILN_RUNTIME_ARTIFACT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/execution_plan.h"
#include "runtime/graph_executor.h"
#include "runtime/module.h"

namespace kiln::runtime {

inline constexpr uint32_t kArtifactFormatVersion = 1;

// Appends `plan` and the footer to the shared object at `path`.
absl::Status AppendPlanToSharedObject(const std::string& path, const ExecutionPlan& plan);

struct Artifact {
  std::unique_ptr<Module> module;
  ExecutionPlan plan;
  uint32_t format_version = kArtifactFormatVersion;
};

// What LoadArtifact reads before it loads any kernel.
struct ArtifactContents {
  uint32_t format_version;
  ExecutionPlan plan;
};

// The footer's checks (magic, version, sizes, checksum) and the parsed and
// validated plan of an artifact's bytes; `owner` keeps `bytes` alive for the
// parameters the plan borrows (null: they are copied).
absl::StatusOr<ArtifactContents> ReadArtifactContents(absl::string_view bytes,
                                                      std::shared_ptr<const void> owner = nullptr);

// Refuses, with an error saying which check failed, a file that is not an
// artifact, has another format version, or is truncated or altered; only
// then loads its kernels (which also checks the CPU features they need).
// The file is memory-mapped and its parameters are used in place.
absl::StatusOr<Artifact> LoadArtifact(const std::string& path);

// Each executor has its own inputs, outputs and arena, so several may run
// one artifact at once, one per thread.
absl::StatusOr<std::unique_ptr<GraphExecutor>> CreateExecutor(const Artifact& artifact);

// The checksum the footer carries (64-bit, FNV-1a style over 8-byte words).
uint64_t ArtifactChecksum(absl::string_view bytes);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_ARTIFACT_H_
