// How much memory this machine has: the bound past which a model's sizes
// cannot be honest, whoever declared them.
#ifndef KILN_RUNTIME_MACHINE_MEMORY_H_
#define KILN_RUNTIME_MACHINE_MEMORY_H_

#include <cstdint>

namespace kiln::runtime {

// Physical memory in bytes (16 GiB when the system does not say).
int64_t MachineMemoryBytes();

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_MACHINE_MEMORY_H_
