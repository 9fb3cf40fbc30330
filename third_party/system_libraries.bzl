"""Declares every Debian-provided library as its own external repository."""

def kiln_system_libraries():
    # LLVM's headers live outside the compiler's default search path, so they
    # are exposed through the repository; the shared library is on the default
    # linker path (/usr/lib/x86_64-linux-gnu/libLLVM-19.so).
    native.new_local_repository(
        name = "llvm",
        path = "/usr/lib/llvm-19",
        build_file = "//third_party:llvm.BUILD",
    )

    # CPython's headers, for the Python extension (python/): Debian 12's
    # system interpreter, /usr/bin/python3, is 3.11.
    native.new_local_repository(
        name = "python",
        path = "/usr/include/python3.11",
        build_file = "//third_party:python.BUILD",
    )

    # The rest install their headers under /usr/include, which the compiler
    # searches already; adding it again with -isystem would break libstdc++'s
    # #include_next, so these repositories only carry link options.
    for name in ["absl", "gflags", "glog", "gtest", "hiredis", "onnx", "protobuf", "pybind11", "stb", "xgboost"]:
        native.new_local_repository(
            name = name,
            path = "third_party/system",
            build_file = "//third_party:%s.BUILD" % name,
        )
