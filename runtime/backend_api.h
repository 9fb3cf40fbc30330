// The C interface between generated kernels and the runtime.
//
// Generated code never links against the runtime by symbol name. Instead each
// compiled module holds one global per entry point below, named by the
// matching *_SYMBOL macro, and whoever loads the module (the JIT in codegen/,
// the module loader in runtime/) stores the runtime's function address there
// before any kernel runs. This keeps a deployed artifact loadable by any binary
// that links runtime/, with no -rdynamic or symbol interposition games.
#ifndef KILN_RUNTIME_BACKEND_API_H_
#define KILN_RUNTIME_BACKEND_API_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// A parallel loop body outlined by codegen: runs task `task_id` of
// `num_tasks`; returns 0 on success.
typedef int32_t (*KilnParallelLambda)(int64_t task_id, int64_t num_tasks,
                                      void* closure);

// Runs body(t, num_tasks, closure) for t in [0, num_tasks) on the runtime's
// thread pool (the calling thread takes part) and waits for all tasks.
// Returns 0, or the first non-zero value a task returned.
int32_t KilnBackendParallelLaunch(KilnParallelLambda body, void* closure,
                                  int64_t num_tasks);

// 64-byte aligned scratch memory for kHeap allocations in kernels; never
// returns null for nbytes > 0 unless the machine is out of memory.
void* KilnBackendAllocWorkspace(int64_t nbytes);
void KilnBackendFreeWorkspace(void* ptr);

#ifdef __cplusplus
}  // extern "C"
#endif

// Names of the function-pointer globals a generated module defines.
#define KILN_PARALLEL_LAUNCH_SYMBOL "__kiln_backend_parallel_launch"
#define KILN_ALLOC_WORKSPACE_SYMBOL "__kiln_backend_alloc_workspace"
#define KILN_FREE_WORKSPACE_SYMBOL "__kiln_backend_free_workspace"

// A NUL-terminated, comma-separated list of the x86 CPU features the module's
// code was compiled to use, in LLVM spelling without '+' ("avx2,fma,avx512f").
// Loaders refuse a module whose features the host lacks, instead of letting
// the first kernel die of SIGILL.
#define KILN_REQUIRED_FEATURES_SYMBOL "__kiln_required_cpu_features"

#endif  // KILN_RUNTIME_BACKEND_API_H_
