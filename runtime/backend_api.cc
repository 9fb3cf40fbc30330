// The runtime side of backend_api.h: generated kernels reach these functions
// through the pointers a loader stores into each module.
#include "runtime/backend_api.h"

#include "runtime/thread_pool.h"
#include "runtime/workspace_pool.h"

extern "C" {

int32_t KilnBackendParallelLaunch(KilnParallelLambda body, void* closure,
                                  int64_t num_tasks) {
  return kiln::runtime::GlobalThreadPool().ParallelFor(num_tasks, body,
                                                        closure);
}

void* KilnBackendAllocWorkspace(int64_t nbytes) {
  return kiln::runtime::ThreadWorkspacePool().Alloc(nbytes);
}

void KilnBackendFreeWorkspace(void* ptr) { kiln::runtime::ThreadWorkspacePool().Free(ptr); }

}  // extern "C"
