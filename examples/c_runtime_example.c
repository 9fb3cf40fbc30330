/* Embedding kiln's runtime in a C program: load an artifact, list its
 * inputs and outputs, feed raw input files, run, write raw output files.
 *
 *   bazel build //examples:c_runtime_example
 *   bazel-bin/examples/c_runtime_example model.so out_ [input0.bin ...]
 *
 * Input i is read from the i-th file (C order, the input's dtype and exact
 * size), zeros when none is given; output i is written to out_<i>.bin.
 * Links only libkiln_runtime.so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/kiln_runtime.h"

static int Fail(const char* what) {
  fprintf(stderr, "c_runtime_example: %s: %s\n", what, KilnLastError());
  return 1;
}

static void PrintInfo(const char* kind, int32_t index, const KilnTensorInfo* info) {
  printf("%s %d: %s %s[", kind, index, info->name, info->dtype_name);
  for (int32_t d = 0; d < info->ndim; ++d) printf(d ? ", %lld" : "%lld", (long long)info->shape[d]);
  printf("]\n");
}

/* The whole file into `data` when it has exactly `nbytes`. */
static int ReadExactly(const char* path, void* data, size_t nbytes) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "c_runtime_example: cannot open %s\n", path);
    return 1;
  }
  const size_t got = fread(data, 1, nbytes, f);
  const int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != nbytes || extra) {
    fprintf(stderr, "c_runtime_example: %s does not have exactly %zu bytes\n", path, nbytes);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: c_runtime_example model.so out_prefix [input0.bin ...]\n");
    return 2;
  }
  KilnModel* model = NULL;
  if (KilnModelLoad(argv[1], &model) != KILN_OK) return Fail("loading the model");
  KilnRun* run = NULL;
  if (KilnRunCreate(model, &run) != KILN_OK) return Fail("creating a run state");

  int status = 0;
  for (int32_t i = 0; i < KilnModelNumInputs(model) && status == 0; ++i) {
    KilnTensorInfo info;
    if (KilnModelInputInfo(model, i, &info) != KILN_OK) return Fail("input info");
    PrintInfo("input", i, &info);
    void* data = calloc(info.nbytes ? info.nbytes : 1, 1);
    if (data == NULL) return 1;
    if (3 + i < argc) status = ReadExactly(argv[3 + i], data, info.nbytes);
    if (status == 0 && KilnRunSetInput(run, i, data, info.nbytes) != KILN_OK) {
      status = Fail("setting an input");
    }
    free(data);
  }
  if (status == 0 && KilnRunRun(run) != KILN_OK) status = Fail("running");
  for (int32_t i = 0; i < KilnModelNumOutputs(model) && status == 0; ++i) {
    KilnTensorInfo info;
    const void* data = NULL;
    if (KilnModelOutputInfo(model, i, &info) != KILN_OK) return Fail("output info");
    if (KilnRunGetOutput(run, i, &data) != KILN_OK) return Fail("getting an output");
    PrintInfo("output", i, &info);
    char path[4096];
    snprintf(path, sizeof(path), "%s%d.bin", argv[2], i);
    FILE* f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, info.nbytes, f) != info.nbytes) {
      fprintf(stderr, "c_runtime_example: cannot write %s\n", path);
      status = 1;
    }
    if (f != NULL) fclose(f);
  }
  KilnRunFree(run);
  KilnModelFree(model);
  return status;
}
