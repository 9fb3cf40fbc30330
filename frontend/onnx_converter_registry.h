// Which converter turns an ONNX node into kiln operators, by op type and
// opset version, after ONNX Runtime's versioned kernel registry.
//
// An ONNX operator changes over opsets (an attribute becomes an input, a
// default changes), so each converter names the range of opsets it handles
// and registers itself from its own file:
//
//   KILN_REGISTER_ONNX_CONVERTER(Clip, 1, 10, ClipWithAttributes);
//   KILN_REGISTER_ONNX_CONVERTER(Clip, 11, kLatestOpset, ClipWithInputs);
//
// Converter files live in the `onnx_converters` library (alwayslink), so
// adding an operator touches no shared table. runtime/registry.h holds one
// entry per name; here one op has several entries told apart by opset, so
// this registry keeps that one's contract instead: registration cannot fail
// loudly at static-init time, so a bad registration (two ranges of one op
// that overlap, an empty range) is remembered and reported by status(),
// which the importer and binaries check at startup.
#ifndef KILN_FRONTEND_ONNX_CONVERTER_REGISTRY_H_
#define KILN_FRONTEND_ONNX_CONVERTER_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "runtime/registry.h"

namespace kiln::frontend {

class ImportContext;
using Converter = std::function<absl::Status(ImportContext&)>;

// The `until_version` of a converter that also handles every later opset.
inline constexpr int kLatestOpset = std::numeric_limits<int>::max();

struct OnnxConverterRegistration {
  std::string op_type;
  int since_version;  // the first opset handled
  int until_version;  // the last opset handled, or kLatestOpset
  Converter convert;

  bool Handles(int64_t opset) const { return since_version <= opset && opset <= until_version; }
  // "1-10", "13" or "11+".
  std::string RangeString() const;
};

class OnnxConverterRegistry {
 public:
  OnnxConverterRegistry() = default;
  OnnxConverterRegistry(const OnnxConverterRegistry&) = delete;
  OnnxConverterRegistry& operator=(const OnnxConverterRegistry&) = delete;

  // Fails (and poisons status()) on an empty op type, a range that is empty
  // or starts below opset 1, or a range overlapping one of the same op.
  absl::Status Register(std::string op_type, int since_version, int until_version,
                        Converter convert);

  // The registration of `op_type` whose range holds `opset`, or nullptr.
  const OnnxConverterRegistration* Find(absl::string_view op_type, int64_t opset) const;

  // Every registration, by op type and then by range.
  std::vector<const OnnxConverterRegistration*> List() const;

  // The opsets `op_type` converts at, as "1-12, 13+"; "" for an unknown op.
  std::string OpsetsOf(absl::string_view op_type) const;

  // OK unless a registration failed.
  absl::Status status() const;

 private:
  mutable absl::Mutex mu_;
  // By op type, each list sorted by since_version. Pointers handed out by
  // Find() and List() stay valid as registrations are added.
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<OnnxConverterRegistration>>>
      by_op_ ABSL_GUARDED_BY(mu_);
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

// The registry the converter files register into and the importer reads.
OnnxConverterRegistry& OnnxConverters();

namespace registry_internal {
// Registers and swallows the status: a failure is kept by the registry and
// surfaces through status().
bool RegisterOnnxConverterAtStartup(const char* op_type, int since_version, int until_version,
                                    Converter convert);
}  // namespace registry_internal

}  // namespace kiln::frontend

// Registers `convert` (a Converter, or a function convertible to one) for
// ONNX op `op_type` (written bare, e.g. Clip) at opsets since_version to
// until_version inclusive (kLatestOpset: no upper bound).
#define KILN_REGISTER_ONNX_CONVERTER(op_type, since_version, until_version, convert) \
  [[maybe_unused]] static const bool KILN_REGISTRY_CONCAT(                           \
      kiln_onnx_converter_, __COUNTER__) =                                           \
      ::kiln::frontend::registry_internal::RegisterOnnxConverterAtStartup(           \
          #op_type, (since_version), (until_version), (convert))

#endif  // KILN_FRONTEND_ONNX_CONVERTER_REGISTRY_H_
