#include "runtime/machine_memory.h"

#include <unistd.h>

namespace kiln::runtime {

int64_t MachineMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_bytes = sysconf(_SC_PAGESIZE);
  // Unknown (a restricted sandbox): a bound that still refuses the absurd.
  if (pages <= 0 || page_bytes <= 0) return int64_t{16} << 30;
  return static_cast<int64_t>(pages) * page_bytes;
}

}  // namespace kiln::runtime
