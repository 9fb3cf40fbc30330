// The routes docs/ADDING_A_TUNER.md describes, end to end: the example tuner
// reaches `kiln` as a shared object (--plugin) and through kiln_driver, its
// parameters come from --tuner_param, and the guide's code is this
// example's code word for word.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "driver/test_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::examples {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using driver::ReadFile;
using driver::Result;
using driver::Sh;
using driver::Tmp;

const char kKiln[] = "driver/kiln";
const char kLinkedKiln[] = "examples/custom_tuner/kiln_with_coordinate_descent";
const char kPlugin[] = "examples/custom_tuner/libcoordinate_descent.so";

TEST(PluginTest, TheTunerIsListedThroughEitherRouteOnly) {
  Result plain = Sh(std::string(kKiln) + " list tuners");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_THAT(plain.output, Not(HasSubstr("coordinate_descent")));
  for (const std::string& command :
       {std::string(kKiln) + " --plugin=" + kPlugin + " list tuners",
        std::string(kKiln) + " list tuners --plugin " + kPlugin,
        std::string(kLinkedKiln) + " list tuners"}) {
    Result r = Sh(command);
    ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("  coordinate_descent ")) << command;
    EXPECT_THAT(r.output, HasSubstr("  xgb ")) << "the shipped tuners stay";
  }
}

TEST(PluginTest, TunesAModelWithThePluginAndItsParameter) {
  const std::string model = Tmp("resnet.onnx"), records = Tmp("records.json");
  Result gen = Sh(
      "frontend/generate_resnet50_v2 --image_size=32 --width=8 --classes=10 --output=" + model);
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  const std::string tune = std::string(kKiln) + " --plugin=" + kPlugin + " tune " + model +
                           " --tuner=coordinate_descent --trials=2 --max_tasks=1 --output=";
  Result r = Sh(tune + records + " --tuner_param=radius=1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("[Task  1/ 1]"));
  EXPECT_FALSE(ReadFile(records).empty());
  // Again on the same records: it resumes, and says so without glog's
  // "I1201 12:00:00.000000 123 tune_model.cc:65]" before the message.
  r = Sh(tune + records + " --tuner_param=radius=1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("resuming from " + records));
  EXPECT_THAT(r.output, Not(HasSubstr(".cc:")));
  // The plugin's own factory read the parameters: it names the one it takes.
  r = Sh(tune + Tmp("typo.json") + " --tuner_param=radus=1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("tuner 'coordinate_descent' has no parameter 'radus'; "
                                  "it takes: radius"));
  r = Sh(tune + Tmp("bad.json") + " --tuner_param=radius");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("not of the form key=value"));
}

TEST(PluginTest, BadPluginsAreClearErrors) {
  Result r = Sh(std::string(kKiln) + " --plugin=/nonexistent/libx.so list tuners");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot load plugin '/nonexistent/libx.so'"));
  r = Sh(std::string(kKiln) + " --plugin=runtime/testdata/fake_kernels.so list tuners");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("registered no tuner or target"));
  // Linked in and loaded again: one name registered twice.
  r = Sh(std::string(kLinkedKiln) + " --plugin=" + kPlugin + " list tuners");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("'coordinate_descent' is registered twice"));
  // The same file twice is loaded once.
  r = Sh(std::string(kKiln) + " --plugin=" + kPlugin + " --plugin=" + kPlugin +
                 " list tuners");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// Every C++ and Bazel block of the guide is a verbatim part of the example,
// so the guide cannot drift from code that builds and passes its tests.
TEST(PluginTest, TheGuideQuotesTheExample) {
  const std::string guide = ReadFile("docs/ADDING_A_TUNER.md");
  ASSERT_FALSE(guide.empty());
  std::string example;
  for (const char* file : {"BUILD.bazel", "coordinate_descent_tuner.cc",
                           "coordinate_descent_tuner_test.cc"}) {
    example += ReadFile(std::string("examples/custom_tuner/") + file);
  }
  int checked = 0;
  std::vector<std::string> parts = absl::StrSplit(guide, "```");
  for (size_t i = 1; i < parts.size(); i += 2) {
    absl::string_view block = parts[i];
    if (!absl::ConsumePrefix(&block, "cpp\n") && !absl::ConsumePrefix(&block, "python\n")) {
      continue;
    }
    EXPECT_TRUE(absl::StrContains(example, block)) << "not in examples/custom_tuner:\n" << block;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace kiln::examples
