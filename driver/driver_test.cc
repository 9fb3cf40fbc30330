// The command line binaries end to end: compile, run, deploy, tune, and the
// errors users see for bad artifacts, inputs, models, tuners and targets.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "driver/test_command.h"
#include "frontend/onnx_importer.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"
#include "ir/graph/op_registry.h"
#include "runtime/npy_format.h"
#include "tuners/records.h"

namespace kiln::driver {
namespace {

const char kKiln[] = "driver/kiln";
const char kDeploy[] = "driver/kiln_deploy";

// One small ResNet-50 v2 (32x32, width 8) compiled once for all tests.
class DriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = Tmp("resnet.onnx");
    artifact_ = Tmp("resnet.so");
    Result gen = Sh(std::string("frontend/generate_resnet50_v2 --image_size=32 --width=8 "
                                "--classes=10 --output=") + model_);
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
    Result compile = Sh(std::string(kKiln) + " compile " + model_ +
                        " --target=\"llvm -mcpu=native\" --output=" + artifact_);
    ASSERT_EQ(compile.exit_code, 0) << compile.output;
    // The inputs a numpy user would save with np.savez(data=...).
    auto data = runtime::NDArray::Empty({1, 3, 32, 32}, runtime::DType::kFloat32);
    for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::cos(0.05 * i);
    inputs_ = Tmp("inputs.npz");
    ASSERT_TRUE(runtime::WriteNpzFile(inputs_, {{"data", *data}}).ok());
    data_ = *data;
  }
  static std::string model_, artifact_, inputs_;
  static runtime::NDArray data_;
};
std::string DriverTest::model_, DriverTest::artifact_, DriverTest::inputs_;
runtime::NDArray DriverTest::data_;

// A model whose Reshape takes its target shape as an input (as exporters
// write models with a run-time shape): y = reshape(x, shape) + 1.
std::string ReshapeByInputModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("reshape_by_input");
  auto add_value = [](onnx::ValueInfoProto* v, const std::string& name, int type,
                      const std::vector<int64_t>& dims) {
    v->set_name(name);
    auto* tensor = v->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(type);
    for (int64_t d : dims) tensor->mutable_shape()->add_dim()->set_dim_value(d);
  };
  add_value(g->add_input(), "x", onnx::TensorProto::FLOAT, {2, 6});
  add_value(g->add_input(), "shape", onnx::TensorProto::INT64, {2});
  add_value(g->add_output(), "y", onnx::TensorProto::FLOAT, {});
  onnx::TensorProto* one = g->add_initializer();
  one->set_name("one");
  one->set_data_type(onnx::TensorProto::FLOAT);
  one->add_float_data(1.0f);
  onnx::NodeProto* reshape = g->add_node();
  reshape->set_op_type("Reshape");
  reshape->add_input("x");
  reshape->add_input("shape");
  reshape->add_output("r");
  onnx::NodeProto* add = g->add_node();
  add->set_op_type("Add");
  add->add_input("r");
  add->add_input("one");
  add->add_output("y");
  const std::string path = Tmp("reshape_by_input.onnx");
  std::ofstream(path, std::ios::binary) << model.SerializeAsString();
  return path;
}

runtime::NDArray Shape2(int64_t a, int64_t b) {
  auto shape = runtime::NDArray::Empty({2}, runtime::DType::kInt64);
  shape->data<int64_t>()[0] = a;
  shape->data<int64_t>()[1] = b;
  return *shape;
}

TEST(BoundInputsTest, AnInputThatSetsAShapeIsBoundToItsValueAndCheckedOnEveryRun) {
  const std::string model = ReshapeByInputModel();
  auto x = runtime::NDArray::Empty({2, 6}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < 12; ++i) x->data<float>()[i] = static_cast<float>(i);
  const std::string inputs = Tmp("bound_inputs.npz"), other = Tmp("bound_other.npz");
  ASSERT_TRUE(runtime::WriteNpzFile(inputs, {{"x", *x}, {"shape", Shape2(3, 4)}}).ok());
  ASSERT_TRUE(runtime::WriteNpzFile(other, {{"x", *x}, {"shape", Shape2(4, 3)}}).ok());
  const std::string artifact = Tmp("bound.so");

  // Without its value the shape input is a named, fixable refusal.
  Result refused = Sh(std::string(kKiln) + " compile " + model + " --output=" + artifact);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("graph input 'shape'"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--input_values"), std::string::npos) << refused.output;

  Result compiled = Sh(std::string(kKiln) + " compile " + model + " --input_values=" + inputs +
                       " --output=" + artifact);
  ASSERT_EQ(compiled.exit_code, 0) << compiled.output;
  const std::string deployed = Tmp("bound_deployed.npz"), direct = Tmp("bound_direct.npz");
  Result run = Sh(std::string(kDeploy) + " " + artifact + " --inputs=" + inputs +
                  " --outputs=" + deployed);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto y = runtime::ReadNpzFile(deployed);
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_EQ((*y)[0].second.shape(), (std::vector<int64_t>{3, 4}));
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ((*y)[0].second.data<float>()[i], i + 1.0f);

  // Another value is refused, saying what the model was compiled for.
  Result mismatch = Sh(std::string(kDeploy) + " " + artifact + " --inputs=" + other);
  EXPECT_NE(mismatch.exit_code, 0);
  EXPECT_NE(mismatch.output.find("input 'shape' is [4, 3], but the model was compiled for [3, 4]"),
            std::string::npos)
      << mismatch.output;

  // Running the model file binds it from the inputs in one step.
  Result one_step = Sh(std::string(kKiln) + " run " + model + " --inputs=" + other +
                       " --outputs=" + direct);
  ASSERT_EQ(one_step.exit_code, 0) << one_step.output;
  auto z = runtime::ReadNpzFile(direct);
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ((*z)[0].second.shape(), (std::vector<int64_t>{4, 3}));
}

TEST_F(DriverTest, RunAndDeployGiveIdenticalOutputsThatMatchTheReference) {
  const std::string a = Tmp("a.npz"), b = Tmp("b.npz");
  Result run = Sh(std::string(kKiln) + " run " + artifact_ + " --inputs=" + inputs_ +
                  " --outputs=" + a + " --print_time --repeat=3");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("median (ms)"), std::string::npos) << run.output;
  Result deploy = Sh(std::string(kDeploy) + " " + artifact_ + " --inputs=" + inputs_ +
                     " --outputs=" + b + " --num_threads=1");
  ASSERT_EQ(deploy.exit_code, 0) << deploy.output;
  EXPECT_EQ(ReadFile(a), ReadFile(b));

  auto outputs = runtime::ReadNpzFile(a);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ASSERT_EQ(outputs->size(), 1u);
  auto g = frontend::ImportOnnxFile(model_);
  ASSERT_TRUE(g.ok());
  auto want = graph::Evaluate(*g, {{"data", data_}});
  ASSERT_TRUE(want.ok());
  EXPECT_EQ((*outputs)[0].first, g->output_names()[0]);
  const runtime::NDArray& got = (*outputs)[0].second;
  ASSERT_EQ(got.shape(), (*want)[0].shape());
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < got.NumElements(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double{(*want)[0].data<float>()[i]}));
    max_diff = std::max(max_diff, std::fabs(double{got.data<float>()[i]} -
                                            (*want)[0].data<float>()[i]));
  }
  EXPECT_LE(max_diff, 1e-4 * max_abs);
}

TEST_F(DriverTest, DamagedArtifactsAreRefused) {
  const std::string bytes = ReadFile(artifact_);
  const std::string damaged = Tmp("damaged.so");
  std::string altered = bytes;
  altered[bytes.size() / 3] ^= 0x55;
  std::ofstream(damaged, std::ios::binary) << altered;
  Result r = Sh(std::string(kDeploy) + " " + damaged);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("checksum mismatch"), std::string::npos) << r.output;
  std::ofstream(damaged, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  r = Sh(std::string(kKiln) + " run " + damaged);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not a usable kiln artifact"), std::string::npos) << r.output;
}

TEST_F(DriverTest, BadInputsAreClearErrors) {
  auto wrong_shape = runtime::NDArray::Empty({1, 3, 16, 16}, runtime::DType::kFloat32);
  const std::string path = Tmp("bad.npz");
  ASSERT_TRUE(runtime::WriteNpzFile(path, {{"data", *wrong_shape}}).ok());
  Result r = Sh(std::string(kDeploy) + " " + artifact_ + " --inputs=" + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("expects float32[1, 3, 32, 32], got float32[1, 3, 16, 16]"),
            std::string::npos)
      << r.output;
  ASSERT_TRUE(runtime::WriteNpzFile(path, {{"image", *wrong_shape}}).ok());
  r = Sh(std::string(kKiln) + " run " + artifact_ + " --inputs=" + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no input named 'image'"), std::string::npos) << r.output;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "not a zip";
  r = Sh(std::string(kDeploy) + " " + artifact_ + " --inputs=" + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("npz"), std::string::npos) << r.output;
}

TEST_F(DriverTest, BadModelsTunersAndTargetsAreClearErrors) {
  const std::string garbage = Tmp("garbage.onnx");
  std::ofstream(garbage) << "definitely not protobuf";
  Result r = Sh(std::string(kKiln) + " compile " + garbage + " --output=" + Tmp("x.so"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("kiln: error:"), std::string::npos) << r.output;
  r = Sh(std::string(kKiln) + " compile " + model_ + " --target=\"llvm -mcpu=pentium2\" --output=" +
         Tmp("x.so"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("pentium2"), std::string::npos) << r.output;
  r = Sh(std::string(kKiln) + " tune " + model_ + " --tuner=simulated_magic --output=" +
         Tmp("r.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("simulated_magic"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("xgb_rank_binary_curve"), std::string::npos) << "lists the known tuners";
  // Tuner parameters are checked before the model is even opened.
  r = Sh(std::string(kKiln) + " tune /nonexistent/model.onnx --tuner=ga --tuner_param=elite=3 " +
         "--output=" + Tmp("r.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("tuner 'ga' has no parameter 'elite'; it takes: elite_num, mutation_prob"),
            std::string::npos)
      << r.output;
  r = Sh(std::string(kKiln) + " tune /nonexistent/model.onnx --tuner=ga --population_size=4 " +
         "--tuner_param=elite_num=9 --output=" + Tmp("r.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("elite_num must be in [0, population_size=4], got 9"),
            std::string::npos)
      << r.output;
}

TEST_F(DriverTest, MoreThreadsThanCoresRunButAreWarnedAbout) {
  const int threads = 4 * static_cast<int>(std::thread::hardware_concurrency()) + 1;
  Result r = Sh(std::string(kDeploy) + " " + artifact_ + " --num_threads=" +
                std::to_string(threads));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("warning: --num_threads=" + std::to_string(threads) + " is more than the"),
      std::string::npos)
      << r.output;
  r = Sh(std::string(kDeploy) + " " + artifact_ + " --num_threads=1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
}

TEST_F(DriverTest, AnArtifactInAMissingFolderNamesThePathAndTheFolder) {
  Result r = Sh(std::string(kKiln) + " compile " + model_ + " --output=/nonexistent/dir/x.so");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot write /nonexistent/dir/x.so: the folder /nonexistent/dir does "
                          "not exist"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("x.so."), std::string::npos) << "names no temporary file: " << r.output;
}

// The generated model declares data as [1,3,32,32].
TEST_F(DriverTest, InputShapesMustFitTheModel) {
  const std::string compile = std::string(kKiln) + " compile " + model_ + " --output=" +
                              Tmp("shapes.so") + " --input_shapes=";
  Result r = Sh(compile + "\"data:[1,3,224,224]\"");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("input 'data' is declared [1,3,32,32] by the model; the given shape "
                          "[1, 3, 224, 224] differs in dimension 2"),
            std::string::npos)
      << r.output;
  // A malformed value is answered with one that fits this model.
  r = Sh(compile + "\"data[1,3,32,32]\"");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("e.g. --input_shapes=\"data:[1,3,32,32]\""), std::string::npos)
      << r.output;
  r = Sh(compile + "\"data:[1, 3, 32, 32]\"");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(HelpTest, HelpListsTheBinarysOwnFlagsOnly) {
  Result r = Sh(std::string(kKiln) + " --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* flag : {"-input_shapes", "-tuner_param", "-plugin", "-num_threads"}) {
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag << "\n" << r.output;
  }
  for (const char* foreign : {"logtostderr", "minloglevel", "flagfile"}) {
    EXPECT_EQ(r.output.find(foreign), std::string::npos) << foreign << "\n" << r.output;
  }
  r = Sh(std::string(kDeploy) + " --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("-profile"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("logtostderr"), std::string::npos) << r.output;
  r = Sh(std::string(kDeploy));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("[--profile]"), std::string::npos) << r.output;
}

TEST_F(DriverTest, ListsTunersAndTargets) {
  Result tuners = Sh(std::string(kKiln) + " list tuners");
  ASSERT_EQ(tuners.exit_code, 0);
  for (const char* name : {"xgb", "xgb_knob", "xgb_itervar", "xgb_curve", "xgb_rank",
                           "xgb_rank_knob", "xgb_rank_itervar", "xgb_rank_curve",
                           "xgb_rank_binary", "xgb_rank_binary_knob", "xgb_rank_binary_itervar",
                           "xgb_rank_binary_curve", "ga", "random", "gridsearch"}) {
    EXPECT_NE(tuners.output.find(std::string("  ") + name + " "), std::string::npos) << name;
  }
  Result targets = Sh(std::string(kKiln) + " list targets");
  ASSERT_EQ(targets.exit_code, 0);
  EXPECT_NE(targets.output.find("skylake-avx512"), std::string::npos) << targets.output;
  EXPECT_NE(targets.output.find("llvm"), std::string::npos);
}

TEST_F(DriverTest, TuneThenCompileWithTheRecords) {
  const std::string records = Tmp("records.json");
  Result tune = Sh(std::string(kKiln) + " tune " + model_ +
                   " --target=\"llvm -mcpu=native\" --tuner=random --trials=6 --max_tasks=2 "
                   "--repeat=1 --output=" + records);
  ASSERT_EQ(tune.exit_code, 0) << tune.output;
  EXPECT_NE(tune.output.find("[Task  2/ 2]"), std::string::npos) << tune.output;
  // The confirmed pick the summary reports is said under the bar too.
  EXPECT_NE(tune.output.find("[Task  2/ 2]  Confirmed: "), std::string::npos) << tune.output;
  {
    // Per task: the default, 6 trials, then the best configs (at least one)
    // measured twice more to confirm the pick.
    std::ifstream in(records);
    int lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    EXPECT_GE(lines, 2 * (1 + 6 + 2)) << tune.output;
  }
  {
    // Each task's pick (best median over all its samples) was confirmed:
    // measured in the trials and twice more, not once and lucky, though
    // three of the six trials were never among the first confirmed.
    auto file = tuners::ReadRecords(records);
    ASSERT_TRUE(file.ok()) << file.status();
    std::map<std::string, std::map<std::string, tuners::MeasureResult>> pooled;
    for (const tuners::Record& r : file->records) {
      if (!r.result.ok()) continue;
      auto& costs = pooled[r.WorkloadKey()][r.config.Dump()].costs;
      costs.insert(costs.end(), r.result.costs.begin(), r.result.costs.end());
    }
    ASSERT_EQ(pooled.size(), 2u);
    for (const auto& [task, configs] : pooled) {
      const tuners::MeasureResult* best = nullptr;
      for (const auto& [config, result] : configs) {
        if (best == nullptr || result.MedianCost() < best->MedianCost()) best = &result;
      }
      EXPECT_GE(best->costs.size(), 3u) << task;
    }
  }
  // An interrupted write leaves a truncated last line: skipped, not fatal.
  std::ofstream(records, std::ios::app) << "{\"version\":\"kiln-rec";
  const std::string tuned = Tmp("tuned.so");
  Result compile = Sh(std::string(kKiln) + " compile " + model_ +
                      " --target=\"llvm -mcpu=native\" --tuning_records=" + records +
                      " --output=" + tuned);
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  // 23 convolutions and the final dense layer are tunable; two were tuned.
  EXPECT_NE(compile.output.find("2 of 24 tunable workloads compiled with their best record; "
                                "the target's default for conv2d("),
            std::string::npos)
      << "the untuned tasks are counted and named: " << compile.output;
  EXPECT_NE(compile.output.find("and 19 more"), std::string::npos) << compile.output;
  const std::string a = Tmp("tuned.npz"), b = Tmp("untuned.npz");
  ASSERT_EQ(Sh(std::string(kDeploy) + " " + tuned + " --inputs=" + inputs_ + " --outputs=" + a)
                .exit_code,
            0);
  ASSERT_EQ(Sh(std::string(kDeploy) + " " + artifact_ + " --inputs=" + inputs_ + " --outputs=" + b)
                .exit_code,
            0);
  auto ta = runtime::ReadNpzFile(a);
  auto tb = runtime::ReadNpzFile(b);
  ASSERT_TRUE(ta.ok() && tb.ok());
  const runtime::NDArray& x = (*ta)[0].second;
  const runtime::NDArray& y = (*tb)[0].second;
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double{y.data<float>()[i]}));
    max_diff = std::max(max_diff, std::fabs(double{x.data<float>()[i]} - y.data<float>()[i]));
  }
  EXPECT_LE(max_diff, 1e-4 * max_abs);
}

TEST_F(DriverTest, RerunningAFinishedTuneMeasuresNothing) {
  const std::string records = Tmp("rerun.json");
  const std::string tune = std::string(kKiln) + " tune " + model_ +
                           " --target=\"llvm -mcpu=native\" --tuner=random --trials=4 "
                           "--max_tasks=2 --repeat=1 --output=" +
                           records;
  Result first = Sh(tune);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // A fresh run resumes nothing, and says nothing of resuming.
  EXPECT_EQ(first.output.find("resum"), std::string::npos) << first.output;
  const std::string after_first = ReadFile(records);
  Result second = Sh(tune);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("resuming from " + records), std::string::npos) << second.output;
  EXPECT_EQ(ReadFile(records), after_first) << "a finished run is complete: nothing to add";
}

TEST_F(DriverTest, InterruptedTuneSaysWhatIsSavedAndHowToResume) {
  const std::string records = Tmp("interrupted.json");
  // Far more trials than the few seconds allow; SIGINT as Ctrl-C sends it.
  Result tune = Sh("timeout -s INT 8 " + std::string(kKiln) + " tune " + model_ +
                   " --target=\"llvm -mcpu=native\" --tuner=random --trials=100000 "
                   "--output=" +
                   records);
  EXPECT_NE(tune.exit_code, 0) << tune.output;
  EXPECT_NE(tune.output.find("interrupted; "), std::string::npos) << tune.output;
  EXPECT_NE(tune.output.find(" records are saved in " + records), std::string::npos) << tune.output;
  EXPECT_NE(tune.output.find("run the same command again to resume"), std::string::npos);
  // Said once: the candidates' child processes do not repeat it.
  EXPECT_EQ(tune.output.find("interrupted; "), tune.output.rfind("interrupted; "));
  auto file = tuners::ReadRecords(records);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_GT(file->records.size(), 0u);
}

TEST_F(DriverTest, RecordsThatAreNotRecordsOrDoNotMatchAreExplained) {
  // Another kind of file: one clear error, not a warning per line.
  const std::string binary = Tmp("not_records.bin");
  {
    std::ofstream out(binary, std::ios::binary);
    for (int i = 0; i < 2000; ++i) out << static_cast<char>(i * 7 % 256) << (i % 40 ? "" : "\n");
  }
  Result garbage = Sh(std::string(kKiln) + " compile " + model_ + " --tuning_records=" + binary +
                      " --output=" + Tmp("garbage.so"));
  EXPECT_EQ(garbage.exit_code, 1) << garbage.output;
  EXPECT_NE(garbage.output.find("is not a kiln records file"), std::string::npos) << garbage.output;
  EXPECT_LT(std::count(garbage.output.begin(), garbage.output.end(), '\n'), 8) << garbage.output;
  // Records of this model for another target: nothing applies, and the
  // message says why.
  const std::string records = Tmp("other_target.json");
  Result tune = Sh(std::string(kKiln) + " tune " + model_ +
                   " --target=llvm --tuner=random --trials=2 --max_tasks=1 --repeat=1 "
                   "--output=" +
                   records);
  ASSERT_EQ(tune.exit_code, 0) << tune.output;
  Result compile = Sh(std::string(kKiln) + " compile " + model_ +
                      " --target=\"llvm -mcpu=native\" --tuning_records=" + records +
                      " --output=" + Tmp("other.so"));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  EXPECT_NE(compile.output.find("0 of 24 tunable workloads"), std::string::npos) << compile.output;
  EXPECT_NE(compile.output.find("No record matches: the file holds"), std::string::npos)
      << compile.output;
  EXPECT_NE(compile.output.find("for target \"llvm\""), std::string::npos) << compile.output;
}

TEST_F(DriverTest, AModelWithNothingToTuneIsRefusedAndWritesNoRecords) {
  const std::string model = "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx";
  if (!std::ifstream(model)) GTEST_SKIP() << model << " is missing (package libonnx-testdata)";
  const std::string records = Tmp("nothing.json");
  Result tune = Sh(std::string(kKiln) + " tune " + model + " --output=" + records);
  EXPECT_EQ(tune.exit_code, 1) << tune.output;
  EXPECT_NE(tune.output.find("nothing to tune"), std::string::npos) << tune.output;
  EXPECT_FALSE(std::ifstream(records)) << "no empty records file is left behind";
}

// The suite's Identity model declares output y, the same value as input x;
// the outputs file holds it as y.
TEST(DriverOutputsTest, AnOutputThatIsAnInputKeepsItsDeclaredName) {
  const std::string model = "/usr/share/libonnx-testdata/data/node/test_identity/model.onnx";
  if (!std::ifstream(model)) GTEST_SKIP() << model << " is missing (package libonnx-testdata)";
  const std::string artifact = Tmp("identity.so"), outputs = Tmp("identity_out.npz");
  Result compile = Sh(std::string(kKiln) + " compile " + model + " --output=" + artifact);
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  Result run = Sh(std::string(kKiln) + " run " + artifact + " --outputs=" + outputs);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto arrays = runtime::ReadNpzFile(outputs);
  ASSERT_TRUE(arrays.ok()) << arrays.status();
  ASSERT_EQ(arrays->size(), 1u);
  EXPECT_EQ((*arrays)[0].first, "y");
}

TEST(DeployBinaryTest, LinksNoCompilerLibraries) {
  Result ldd = Sh(std::string("ldd ") + kDeploy);
  ASSERT_EQ(ldd.exit_code, 0) << ldd.output;
  for (const char* lib : {"libLLVM", "libonnx", "libprotobuf", "libxgboost"}) {
    EXPECT_EQ(ldd.output.find(lib), std::string::npos) << lib << " in\n" << ldd.output;
  }
  Result kiln = Sh(std::string("ldd ") + kKiln);
  EXPECT_NE(kiln.output.find("libLLVM"), std::string::npos) << "the check itself works";
}

}  // namespace
}  // namespace kiln::driver
