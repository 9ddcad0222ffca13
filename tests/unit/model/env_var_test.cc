#include "model/env_var.h"

#include <gtest/gtest.h>

#include "model/scheduling.h"

namespace cloud::model {
namespace {

TEST(EnvVar, EncodesLikeKubernetes) {
  EnvVarMap env{{"B", EnvVar{"1", std::nullopt}},
                {"A", EnvVar{"", Json::parse(R"({"secretKeyRef":{"name":"s","key":"k"}})")}}};
  EXPECT_EQ(EncodeJson(env),
            R"({"A":{"valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}},"B":{"value":"1"}})");
  auto back = DecodeJson<EnvVarMap>(EncodeJson(env));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, env);
}

TEST(EnvVar, ValidateNeedsValueOrValueFrom) {
  EXPECT_TRUE(ValidateEnvVarMap({{"A", EnvVar{"x", std::nullopt}}}));
  EXPECT_TRUE(ValidateEnvVarMap({{"A", EnvVar{"", Json::object()}}}));
  auto r = ValidateEnvVarMap({{"EMPTY", EnvVar{}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("EMPTY"), std::string::npos);
}

TEST(EnvVar, ClearOrPatch) {
  struct Case {
    std::string name;
    std::optional<EnvVarMap> target;
    std::optional<EnvVarMap> patch;
    bool changed;
    std::optional<EnvVarMap> want;
  };
  const EnvVar one{"1", std::nullopt};
  const EnvVar two{"2", std::nullopt};
  const std::vector<Case> cases = {
      {"null patch leaves target", EnvVarMap{{"A", one}}, std::nullopt, false,
       EnvVarMap{{"A", one}}},
      {"empty patch clears", EnvVarMap{{"A", one}}, EnvVarMap{}, true, std::nullopt},
      {"empty patch on empty is no change", std::nullopt, EnvVarMap{}, false, std::nullopt},
      {"adds to nil", std::nullopt, EnvVarMap{{"A", one}}, true, EnvVarMap{{"A", one}}},
      {"nil target takes the patch as it is", std::nullopt, EnvVarMap{{"A", one}, {"B", EnvVar{}}},
       true, EnvVarMap{{"A", one}, {"B", EnvVar{}}}},
      {"replaces", EnvVarMap{{"A", one}}, EnvVarMap{{"A", two}}, true, EnvVarMap{{"A", two}}},
      {"same value is no change", EnvVarMap{{"A", one}}, EnvVarMap{{"A", one}}, false,
       EnvVarMap{{"A", one}}},
      {"valueless key deletes", EnvVarMap{{"A", one}, {"B", two}}, EnvVarMap{{"A", EnvVar{}}}, true,
       EnvVarMap{{"B", two}}},
      {"deleting a missing key is no change", EnvVarMap{{"B", two}}, EnvVarMap{{"A", EnvVar{}}},
       false, EnvVarMap{{"B", two}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<EnvVarMap> target = c.target;
    EXPECT_EQ(ClearOrPatchEnvVarMap(target, c.patch), c.changed);
    EXPECT_EQ(target, c.want);
  }
}

TEST(Scheduling, RoundTripAndClear) {
  const char* text = R"({"NodeSelector":{"pool":"a"},"Tolerations":[{"key":"k","operator":"Equal",)"
                     R"("value":"v","effect":"NoSchedule","tolerationSeconds":30}]})";
  auto s = DecodeJson<Scheduling>(text);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(EncodeJson(*s), text);
  EXPECT_FALSE(s->IsClear());
  EXPECT_EQ(EncodeJson(Scheduling{}), R"({"NodeSelector":null,"Tolerations":null})");
  EXPECT_TRUE(Scheduling{}.IsClear());
}

}  // namespace
}  // namespace cloud::model
