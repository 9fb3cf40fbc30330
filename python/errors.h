// kiln's errors as Python exceptions: an absl::Status becomes kiln.KilnError
// (a RuntimeError) carrying kiln's message, or its ValueError, KeyError,
// IndexError or NotImplementedError flavour by status code, so that callers
// can catch what they would catch from any Python library.
#ifndef KILN_PYTHON_ERRORS_H_
#define KILN_PYTHON_ERRORS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pybind11/pybind11.h"

namespace kiln::python {

// Defines the exception classes in `m`.
void RegisterErrors(pybind11::module_& m);

// Raises the exception for a non-OK status.
void ThrowIfError(const absl::Status& status);

template <typename T>
T Unwrap(absl::StatusOr<T> value) {
  ThrowIfError(value.status());
  return *std::move(value);
}

}  // namespace kiln::python

#endif  // KILN_PYTHON_ERRORS_H_
