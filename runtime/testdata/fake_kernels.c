/* A hand-written stand-in for a compiled kernel library, for loader tests:
 * the hooks a loader fills in, the features symbol, and one kernel that runs
 * a parallel loop through the launch hook. */
#include <stdint.h>

typedef int32_t (*Lambda)(int64_t, int64_t, void*);
typedef int32_t (*Launch)(Lambda, void*, int64_t);

void* __kiln_backend_parallel_launch = 0;
void* __kiln_backend_alloc_workspace = 0;
void* __kiln_backend_free_workspace = 0;
const char __kiln_required_cpu_features[] = REQUIRED_FEATURES;

static int32_t Square(int64_t task, int64_t num_tasks, void* closure) {
  (void)num_tasks;
  float* x = (float*)closure;
  x[task] = x[task] * x[task];
  return 0;
}

/* args[0]: float[8], squared in place */
int32_t square8(void* const* args) {
  return ((Launch)__kiln_backend_parallel_launch)(Square, args[0], 8);
}
