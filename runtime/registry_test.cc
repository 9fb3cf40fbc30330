#include "runtime/registry.h"

#include <functional>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Greeter {
  virtual ~Greeter() = default;
  virtual std::string Greet() const = 0;
};
using GreeterFactory = std::function<std::unique_ptr<Greeter>()>;

Registry<GreeterFactory>& Greeters() {
  static auto* registry = new Registry<GreeterFactory>("greeter");
  return *registry;
}

struct Hello : Greeter {
  std::string Greet() const override { return "hello"; }
};
struct Bonjour : Greeter {
  std::string Greet() const override { return "bonjour"; }
};

// Static registration, exactly as a plugin library does it.
KILN_REGISTER(Greeters(), "hello", "says hello",
              [] { return std::make_unique<Hello>(); });
KILN_REGISTER(Greeters(), "bonjour", "says bonjour",
              [] { return std::make_unique<Bonjour>(); });

TEST(RegistryTest, StaticRegistrationMakesEntriesFindable) {
  ASSERT_TRUE(Greeters().status().ok()) << Greeters().status();
  auto factory = Greeters().Find("bonjour");
  ASSERT_TRUE(factory.ok()) << factory.status();
  EXPECT_EQ((*factory)()->Greet(), "bonjour");
  EXPECT_THAT(Greeters().Names(), ElementsAre("bonjour", "hello"));
  EXPECT_EQ(Greeters().Description("hello"), "says hello");
  EXPECT_EQ(Greeters().Description("nobody"), "");
}

TEST(RegistryTest, UnknownNameListsRegisteredNames) {
  auto factory = Greeters().Find("hola");
  ASSERT_FALSE(factory.ok());
  EXPECT_EQ(factory.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(factory.status().message(), HasSubstr("unknown greeter 'hola'"));
  EXPECT_THAT(factory.status().message(), HasSubstr("bonjour, hello"));
}

TEST(RegistryTest, EmptyRegistrySaysSo) {
  Registry<int> numbers("number");
  auto found = numbers.Find("one");
  ASSERT_FALSE(found.ok());
  EXPECT_THAT(found.status().message(), HasSubstr("(none)"));
}

TEST(RegistryTest, DuplicateNameIsAnErrorThatSticks) {
  Registry<int> numbers("number");
  ASSERT_TRUE(numbers.Register("one", "", 1).ok());
  ASSERT_TRUE(numbers.Register("two", "", 2).ok());
  absl::Status duplicate = numbers.Register("one", "", 11);
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(duplicate.message(), HasSubstr("number 'one' is registered twice"));
  EXPECT_THAT(duplicate.message(), HasSubstr("one, two"));
  // The first registration wins the slot, but the registry stays poisoned so
  // that a binary linking two plugins of the same name cannot go unnoticed.
  EXPECT_EQ(numbers.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(numbers.Find("two").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(RegistryTest, EmptyNameIsRejected) {
  Registry<int> numbers("number");
  EXPECT_EQ(numbers.Register("", "", 1).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kiln
