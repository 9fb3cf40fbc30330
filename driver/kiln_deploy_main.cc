// kiln_deploy: runs a compiled artifact with nothing but kiln's runtime (no
// LLVM, ONNX, protobuf or XGBoost), the binary to ship next to model.so.
//
//   kiln_deploy model.so [--inputs=in.npz] [--outputs=out.npz] [--print_time]
//               [--repeat=N] [--number=N] [--num_threads=N] [--profile] [--verbose]
//
// An artifact is native code and is trusted like a shared library: its
// checksum catches accidents, not attackers. A world-writable artifact, or
// one that is not a regular file, is refused.
#include <cstdio>
#include <string>

#include "driver/command_line.h"
#include "driver/run_model.h"
#include "gflags/gflags.h"

DEFINE_string(inputs, "", ".npz (or .npy) with the inputs by name; random when empty");
DEFINE_string(outputs, "", ".npz (or .npy) to write the outputs to");
DEFINE_bool(print_time, false, "print mean, median, max, min and std of the run time");
DEFINE_int32(repeat, 1, "timed samples");
DEFINE_int32(number, 1, "runs per timed sample");
DEFINE_bool(profile, false, "time each kernel and print them by time");
DEFINE_int32(num_threads, 0,
             "threads for kernels (0: KILN_NUM_THREADS, else the cores this process may use: "
             "its CPU affinity and cgroup quota; more is allowed but warned about)");
DEFINE_uint64(seed, 0, "seed of random inputs");
DEFINE_bool(verbose, false,
            "before running, print what is loaded: the model, the artifact's format version, "
            "the CPU features its kernels need, its inputs and outputs");

int main(int argc, char** argv) {
  gflags::SetUsageMessage("kiln_deploy model.so [--inputs=in.npz] [--outputs=out.npz] ...");
  if (kiln::driver::InitCommandLine(&argc, &argv, "driver/kiln_deploy_main.cc")) return 0;
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln_deploy model.so [--inputs=in.npz] [--outputs=out.npz] "
                         "[--print_time] [--repeat=N] [--number=N] [--num_threads=N] "
                         "[--profile] [--seed=N] [--verbose]\n");
    return 2;
  }
  kiln::driver::RunOptions options;
  options.inputs = FLAGS_inputs;
  options.outputs = FLAGS_outputs;
  options.print_time = FLAGS_print_time;
  options.profile = FLAGS_profile;
  options.repeat = FLAGS_repeat;
  options.number = FLAGS_number;
  options.num_threads = FLAGS_num_threads;
  options.seed = FLAGS_seed;
  options.verbose = FLAGS_verbose;
  if (auto st = kiln::driver::RunArtifact(argv[1], options, stdout); !st.ok()) {
    std::fprintf(stderr, "kiln_deploy: error: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}
