// A harness's own property checks: a failed one aborts, so libFuzzer saves
// the input as a crash and the replay test fails, naming what broke.
#ifndef KILN_FUZZING_FUZZ_CHECK_H_
#define KILN_FUZZING_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define KILN_FUZZ_CHECK(condition)                                                    \
  do {                                                                                \
    if (!(condition)) {                                                               \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, \
                   #condition);                                                       \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

#endif  // KILN_FUZZING_FUZZ_CHECK_H_
