#include "python/errors.h"

#include <string>

namespace kiln::python {
namespace py = pybind11;
namespace {

// Created once by RegisterErrors; they live as long as the module.
PyObject* kiln_error = nullptr;
PyObject* value_error = nullptr;
PyObject* key_error = nullptr;
PyObject* index_error = nullptr;
PyObject* unimplemented_error = nullptr;

PyObject* Subclass(py::module_& m, const char* name, PyObject* base, const char* doc) {
  py::object cls = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      (std::string("kiln.") + name).c_str(), doc, py::make_tuple(py::handle(kiln_error),
                                                                 py::handle(base)).ptr(),
      nullptr));
  m.attr(name) = cls;
  return cls.release().ptr();
}

}  // namespace

void RegisterErrors(py::module_& m) {
  kiln_error = PyErr_NewExceptionWithDoc("kiln.KilnError", "An error kiln reported.",
                                         PyExc_RuntimeError, nullptr);
  m.attr("KilnError") = py::handle(kiln_error);
  value_error = Subclass(m, "KilnValueError", PyExc_ValueError,
                         "A bad argument: a model, shape, target, option or file.");
  key_error = Subclass(m, "KilnKeyError", PyExc_KeyError, "No input, output or plugin of that name.");
  index_error = Subclass(m, "KilnIndexError", PyExc_IndexError, "An index out of range.");
  unimplemented_error = Subclass(m, "KilnNotImplementedError", PyExc_NotImplementedError,
                                 "An operator, attribute or dtype kiln does not support.");
}

void ThrowIfError(const absl::Status& status) {
  if (status.ok()) return;
  PyObject* type = kiln_error;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: type = value_error; break;
    case absl::StatusCode::kNotFound: type = key_error; break;
    case absl::StatusCode::kOutOfRange: type = index_error; break;
    case absl::StatusCode::kUnimplemented: type = unimplemented_error; break;
    default: break;
  }
  PyErr_SetString(type, std::string(status.message()).c_str());
  throw py::error_already_set();
}

}  // namespace kiln::python
