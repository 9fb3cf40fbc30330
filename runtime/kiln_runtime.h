/* kiln's runtime as a C library: load a compiled artifact (model.so from
 * `kiln compile` or kiln.build(...).export_library), ask for its inputs and
 * outputs, and run it from any number of threads.
 *
 *   KilnModel* model;
 *   if (KilnModelLoad("model.so", &model) != KILN_OK) {
 *     fprintf(stderr, "%s\n", KilnLastError());
 *   }
 *   KilnRun* run;
 *   KilnRunCreate(model, &run);
 *   KilnRunSetInput(run, 0, image, image_bytes);
 *   KilnRunRun(run);
 *   const void* logits;
 *   KilnRunGetOutput(run, 0, &logits);
 *   KilnRunFree(run);
 *   KilnModelFree(model);
 *
 * A KilnModel is immutable once loaded and may be shared by threads. A
 * KilnRun (inputs, outputs, intermediates) is used by one thread at a time;
 * threads running the same model at once each create their own. Every call
 * returns a status code; on failure KilnLastError() gives kiln's message
 * (what was wrong and what was expected), per thread, until the thread's
 * next failing call. Nothing a caller passes aborts the process.
 *
 * Link with libkiln_runtime.so (bazel build //runtime:libkiln_runtime.so).
 */
#ifndef KILN_RUNTIME_KILN_RUNTIME_H_
#define KILN_RUNTIME_KILN_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum KilnStatus {
  KILN_OK = 0,
  KILN_INVALID_ARGUMENT = 1, /* a bad path, file, index, size or value */
  KILN_NOT_FOUND = 2,        /* no input or output of that name */
  KILN_OUT_OF_RANGE = 3,     /* an index past the model's inputs or outputs */
  KILN_FAILED_PRECONDITION = 4, /* e.g. the host lacks a CPU feature the code needs */
  KILN_UNIMPLEMENTED = 5,
  KILN_INTERNAL = 6, /* a kernel failed */
  KILN_UNKNOWN = 7
} KilnStatus;

/* Element types. New types are appended, so values never change. */
typedef enum KilnDType {
  KILN_FLOAT32 = 0,
  KILN_INT32 = 1,
  KILN_INT64 = 2,
  KILN_BOOL = 3, /* one byte per element, 0 or 1 */
  KILN_UINT8 = 4,
  KILN_INT8 = 5,
  KILN_INT16 = 6,
  KILN_UINT16 = 7,
  KILN_UINT32 = 8,
  KILN_UINT64 = 9,
  KILN_FLOAT64 = 10,
  KILN_FLOAT16 = 11,  /* IEEE binary16 bits */
  KILN_BFLOAT16 = 12  /* the upper half of a float32's bits */
} KilnDType;

typedef struct KilnModel KilnModel;
typedef struct KilnRun KilnRun;

/* An input or output: pointers owned by the model, valid while it lives. */
typedef struct KilnTensorInfo {
  const char* name;
  KilnDType dtype;
  const char* dtype_name; /* "float32", ... */
  int32_t ndim;
  const int64_t* shape; /* ndim dimensions, row-major (C order) */
  size_t nbytes;        /* bytes of the whole tensor */
} KilnTensorInfo;

/* The message of this thread's last failed call ("" if none). */
const char* KilnLastError(void);

/* Loads the artifact at `path` (relative to the current directory unless
 * absolute). Refuses files that are not kiln artifacts, of another format
 * version, truncated or altered, or compiled for CPU features the host
 * lacks. */
KilnStatus KilnModelLoad(const char* path, KilnModel** model);
void KilnModelFree(KilnModel* model); /* null is fine */

int32_t KilnModelNumInputs(const KilnModel* model);
int32_t KilnModelNumOutputs(const KilnModel* model);
KilnStatus KilnModelInputInfo(const KilnModel* model, int32_t index, KilnTensorInfo* info);
KilnStatus KilnModelOutputInfo(const KilnModel* model, int32_t index, KilnTensorInfo* info);
KilnStatus KilnModelInputIndex(const KilnModel* model, const char* name, int32_t* index);
KilnStatus KilnModelOutputIndex(const KilnModel* model, const char* name, int32_t* index);

/* A run state of `model`, which must outlive it. */
KilnStatus KilnRunCreate(const KilnModel* model, KilnRun** run);
void KilnRunFree(KilnRun* run); /* null is fine */

/* Copies `nbytes` (exactly the input's size) from `data` into input
 * `index`; C order, the input's dtype. The input keeps its value for
 * later runs until set again. */
KilnStatus KilnRunSetInput(KilnRun* run, int32_t index, const void* data, size_t nbytes);
/* Binds a buffer of the caller's (exactly the output's size) that every
 * later KilnRunRun writes output `index` into; null unbinds it. */
KilnStatus KilnRunBindOutput(KilnRun* run, int32_t index, void* data, size_t nbytes);
KilnStatus KilnRunRun(KilnRun* run);
/* The run state's own buffer of output `index`, overwritten by the next
 * KilnRunRun on this run state. */
KilnStatus KilnRunGetOutput(const KilnRun* run, int32_t index, const void** data);

/* Threads the kernels use, the caller included (default: the cores this
 * process may use, or KILN_NUM_THREADS). Affects every model. */
KilnStatus KilnSetNumThreads(int32_t num_threads);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_KILN_RUNTIME_H_ */
