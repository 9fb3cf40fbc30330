// The C interface (kiln_runtime.h) over LoadedModel and GraphExecutor.
#include "runtime/kiln_runtime.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/dtype.h"
#include "runtime/graph_executor.h"
#include "runtime/loaded_model.h"
#include "runtime/thread_pool.h"

struct KilnModel {
  std::shared_ptr<const kiln::runtime::LoadedModel> model;
};

struct KilnRun {
  std::shared_ptr<const kiln::runtime::LoadedModel> model;
  std::unique_ptr<kiln::runtime::GraphExecutor> executor;
  std::vector<void*> bound_outputs;  // per output; null: not bound
};

namespace {

using kiln::runtime::DType;
using kiln::runtime::TensorSlot;

thread_local std::string last_error;

// The one place that maps runtime dtypes to the C enum: a dtype added to
// runtime::DType without a case here is a -Wswitch warning.
KilnDType ToKilnDType(DType t) {
  switch (t) {
    case DType::kFloat32: return KILN_FLOAT32;
    case DType::kInt32: return KILN_INT32;
    case DType::kInt64: return KILN_INT64;
    case DType::kBool: return KILN_BOOL;
    case DType::kUInt8: return KILN_UINT8;
    case DType::kInt8: return KILN_INT8;
    case DType::kInt16: return KILN_INT16;
    case DType::kUInt16: return KILN_UINT16;
    case DType::kUInt32: return KILN_UINT32;
    case DType::kUInt64: return KILN_UINT64;
    case DType::kFloat64: return KILN_FLOAT64;
    case DType::kFloat16: return KILN_FLOAT16;
    case DType::kBFloat16: return KILN_BFLOAT16;
  }
  return KILN_UINT8;
}

KilnStatus ToKilnStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return KILN_OK;
    case absl::StatusCode::kInvalidArgument: return KILN_INVALID_ARGUMENT;
    case absl::StatusCode::kNotFound: return KILN_NOT_FOUND;
    case absl::StatusCode::kOutOfRange: return KILN_OUT_OF_RANGE;
    case absl::StatusCode::kFailedPrecondition: return KILN_FAILED_PRECONDITION;
    case absl::StatusCode::kUnimplemented: return KILN_UNIMPLEMENTED;
    case absl::StatusCode::kInternal: return KILN_INTERNAL;
    default: return KILN_UNKNOWN;
  }
}

KilnStatus Fail(const absl::Status& status) {
  last_error = std::string(status.message());
  return ToKilnStatus(status.code());
}

KilnStatus Invalid(const std::string& message) {
  return Fail(absl::InvalidArgumentError(message));
}

KilnStatus CheckIndex(int32_t index, int32_t count, const char* what) {
  if (index >= 0 && index < count) return KILN_OK;
  return Fail(absl::OutOfRangeError(absl::StrCat(what, " index ", index,
                                                 " is out of range: the model has ", count,
                                                 " ", what, "(s)")));
}

KilnStatus Describe(const TensorSlot& slot, KilnTensorInfo* info) {
  if (info == nullptr) return Invalid("KilnTensorInfo pointer is null");
  info->name = slot.name.c_str();
  info->dtype = ToKilnDType(slot.dtype);
  info->dtype_name = kiln::runtime::DTypeName(slot.dtype);
  info->ndim = static_cast<int32_t>(slot.shape.size());
  info->shape = slot.shape.data();
  info->nbytes = static_cast<size_t>(slot.NumBytes());
  return KILN_OK;
}

KilnStatus CheckSize(const TensorSlot& slot, size_t nbytes) {
  if (nbytes == static_cast<size_t>(slot.NumBytes())) return KILN_OK;
  return Invalid(absl::StrCat("'", slot.name, "' (", kiln::runtime::DTypeName(slot.dtype),
                              kiln::runtime::ShapeToString(slot.shape), ") has ",
                              slot.NumBytes(), " bytes, the buffer given has ", nbytes));
}

KilnStatus FindByName(const KilnModel* model, const char* name, bool inputs, int32_t* index) {
  if (model == nullptr || name == nullptr || index == nullptr) {
    return Invalid("model, name and index must not be null");
  }
  const auto& m = *model->model;
  const int32_t count = inputs ? m.num_inputs() : m.num_outputs();
  std::string names;
  for (int32_t i = 0; i < count; ++i) {
    const TensorSlot& slot = inputs ? m.input(i) : m.output(i);
    if (slot.name == name) {
      *index = i;
      return KILN_OK;
    }
    absl::StrAppend(&names, i ? ", " : "", slot.name);
  }
  return Fail(absl::NotFoundError(absl::StrCat("the model has no ", inputs ? "input" : "output",
                                               " named '", name, "'; its ",
                                               inputs ? "inputs" : "outputs", " are: ", names)));
}

}  // namespace

extern "C" {

const char* KilnLastError(void) { return last_error.c_str(); }

KilnStatus KilnModelLoad(const char* path, KilnModel** model) {
  if (path == nullptr || model == nullptr) return Invalid("path and model must not be null");
  *model = nullptr;
  auto loaded = kiln::runtime::LoadedModel::Load(path);
  if (!loaded.ok()) return Fail(loaded.status());
  *model = new KilnModel{*std::move(loaded)};
  return KILN_OK;
}

void KilnModelFree(KilnModel* model) { delete model; }

int32_t KilnModelNumInputs(const KilnModel* model) {
  return model == nullptr ? 0 : model->model->num_inputs();
}

int32_t KilnModelNumOutputs(const KilnModel* model) {
  return model == nullptr ? 0 : model->model->num_outputs();
}

KilnStatus KilnModelInputInfo(const KilnModel* model, int32_t index, KilnTensorInfo* info) {
  if (model == nullptr) return Invalid("model is null");
  if (KilnStatus s = CheckIndex(index, model->model->num_inputs(), "input"); s != KILN_OK) {
    return s;
  }
  return Describe(model->model->input(index), info);
}

KilnStatus KilnModelOutputInfo(const KilnModel* model, int32_t index, KilnTensorInfo* info) {
  if (model == nullptr) return Invalid("model is null");
  if (KilnStatus s = CheckIndex(index, model->model->num_outputs(), "output"); s != KILN_OK) {
    return s;
  }
  return Describe(model->model->output(index), info);
}

KilnStatus KilnModelInputIndex(const KilnModel* model, const char* name, int32_t* index) {
  return FindByName(model, name, /*inputs=*/true, index);
}

KilnStatus KilnModelOutputIndex(const KilnModel* model, const char* name, int32_t* index) {
  return FindByName(model, name, /*inputs=*/false, index);
}

KilnStatus KilnRunCreate(const KilnModel* model, KilnRun** run) {
  if (model == nullptr || run == nullptr) return Invalid("model and run must not be null");
  *run = nullptr;
  auto executor = model->model->NewRun();
  if (!executor.ok()) return Fail(executor.status());
  *run = new KilnRun{model->model, *std::move(executor),
                     std::vector<void*>(model->model->num_outputs(), nullptr)};
  return KILN_OK;
}

void KilnRunFree(KilnRun* run) { delete run; }

KilnStatus KilnRunSetInput(KilnRun* run, int32_t index, const void* data, size_t nbytes) {
  if (run == nullptr || data == nullptr) return Invalid("run and data must not be null");
  if (KilnStatus s = CheckIndex(index, run->model->num_inputs(), "input"); s != KILN_OK) {
    return s;
  }
  const TensorSlot& slot = run->model->input(index);
  if (KilnStatus s = CheckSize(slot, nbytes); s != KILN_OK) return s;
  const auto view = kiln::runtime::NDArray::View(const_cast<void*>(data), slot.shape, slot.dtype);
  if (auto st = run->executor->SetInput(index, view); !st.ok()) return Fail(st);
  return KILN_OK;
}

KilnStatus KilnRunBindOutput(KilnRun* run, int32_t index, void* data, size_t nbytes) {
  if (run == nullptr) return Invalid("run is null");
  if (KilnStatus s = CheckIndex(index, run->model->num_outputs(), "output"); s != KILN_OK) {
    return s;
  }
  if (data != nullptr) {
    if (KilnStatus s = CheckSize(run->model->output(index), nbytes); s != KILN_OK) return s;
  }
  run->bound_outputs[index] = data;
  return KILN_OK;
}

KilnStatus KilnRunRun(KilnRun* run) {
  if (run == nullptr) return Invalid("run is null");
  if (auto st = run->executor->Run(); !st.ok()) return Fail(st);
  for (int32_t i = 0; i < run->model->num_outputs(); ++i) {
    if (run->bound_outputs[i] == nullptr) continue;
    auto out = run->executor->GetOutput(i);
    if (!out.ok()) return Fail(out.status());
    std::memcpy(run->bound_outputs[i], out->raw_data(), out->NumBytes());
  }
  return KILN_OK;
}

KilnStatus KilnRunGetOutput(const KilnRun* run, int32_t index, const void** data) {
  if (run == nullptr || data == nullptr) return Invalid("run and data must not be null");
  auto out = run->executor->GetOutput(index);
  if (!out.ok()) return Fail(out.status());
  *data = out->raw_data();
  return KILN_OK;
}

KilnStatus KilnSetNumThreads(int32_t num_threads) {
  if (auto st = kiln::runtime::GlobalThreadPool().SetNumThreads(num_threads); !st.ok()) {
    return Fail(st);
  }
  return KILN_OK;
}

}  // extern "C"
