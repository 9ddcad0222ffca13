#include "model/annotation.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

TEST(Annotation, ValidateName) {
  struct Case {
    std::string name;
    bool ok;
    std::string message;  // expected error message when !ok
  };
  const std::string kFormat =
      "annotations must start with a letter and can contain only lowercase letters, numbers or "
      "'_', '-' characters";
  const std::string kLength = "annotations must be between 3 and 64 characters long";
  const std::vector<Case> cases = {
      {"abc", true, ""},
      {"my-annotation_1", true, ""},
      {"a1-", true, ""},
      {"aa-bb-cc", true, ""},
      {std::string(64, 'a'), true, ""},
      {"ab", false, "annotation 'ab' is invalid: " + kLength},
      {"", false, "annotation '' is invalid: " + kLength},
      {std::string(65, 'a'), false,
       "annotation '" + std::string(65, 'a') + "' is invalid: " + kLength},
      {"1abc", false, "annotation '1abc' is invalid: " + kFormat},
      {"-abc", false, "annotation '-abc' is invalid: " + kFormat},
      {"_abc", false, "annotation '_abc' is invalid: " + kFormat},
      {"Abc", false, "annotation 'Abc' is invalid: " + kFormat},
      {"abC", false, "annotation 'abC' is invalid: " + kFormat},
      {"ab c", false, "annotation 'ab c' is invalid: " + kFormat},
      {"ab.c", false, "annotation 'ab.c' is invalid: " + kFormat},
      {"abc\n", false, "annotation 'abc\n' is invalid: " + kFormat},
      {"ąbc", false, "annotation 'ąbc' is invalid: " + kFormat},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> r = ValidateAnnotationName(c.name);
    EXPECT_EQ(r.has_value(), c.ok);
    if (!c.ok && !r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(r.error().message, c.message);
    }
  }
}

TEST(Annotation, FromNamesValidatesEveryName) {
  auto ok = AnnotationsFromNames({"abc", "def"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, (std::vector<Annotation>{{"", "abc"}, {"", "def"}}));
  auto empty = AnnotationsFromNames({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto bad = AnnotationsFromNames({"abc", "X"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'X'"), std::string::npos);
}

TEST(Annotation, SortByName) {
  std::vector<Annotation> list = {{"1", "zeta"}, {"2", "alpha"}, {"3", "mid"}};
  SortAnnotations(list);
  EXPECT_EQ(list, (std::vector<Annotation>{{"2", "alpha"}, {"3", "mid"}, {"1", "zeta"}}));
}

TEST(Annotation, Json) {
  EXPECT_EQ(EncodeJson(Annotation{"id1", "abc"}), R"({"ID":"id1","Name":"abc"})");
  auto a = DecodeJson<Annotation>(R"({"id":"x","NAME":"y"})");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (Annotation{"x", "y"}));

  const char* text = R"({"annotations":["abc","def"]})";
  auto r = DecodeJson<AddAnnotationsRequest>(text);
  ASSERT_TRUE(r);
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(EncodeJson(AddAnnotationsRequest{}), R"({"annotations":null})");
  EXPECT_EQ(EncodeJson(AddAnnotationsRequest{std::vector<std::string>{}}), R"({"annotations":[]})");
  EXPECT_FALSE(DecodeJson<AddAnnotationsRequest>(R"({"annotations":"abc"})"));
  auto empty = DecodeJson<AddAnnotationsRequest>("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->annotations.has_value());
}

}  // namespace
}  // namespace cloud::model
