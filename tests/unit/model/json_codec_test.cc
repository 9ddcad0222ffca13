#include "model/json_codec.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

enum class Color { kRed, kDarkBlue };
std::string_view ToString(Color c) { return c == Color::kRed ? "red" : "dark-blue"; }
bool ParseEnum(std::string_view s, Color& out) {
  if (s == "red")
    out = Color::kRed;
  else if (s == "dark-blue")
    out = Color::kDarkBlue;
  else
    return false;
  return true;
}

struct Inner {
  std::string key;
  std::optional<std::string> value;
};
template <class V>
void JsonFields(V& v, Inner& i) {
  v("key", i.key);
  v("value", i.value, kOmitEmpty);
}

struct Sample {
  std::string id;
  std::string name;
  int64_t count = 0;
  int32_t small = 0;
  bool flag = false;
  std::optional<std::string> lock_by;
  std::vector<std::string> tags;
  std::optional<std::vector<Inner>> headers;
  std::map<std::string, std::string> labels;
  std::optional<int64_t> maybe;
  Color color = Color::kRed;
  Bytes data;
  Json raw;
  std::string omitted;
};
template <class V>
void JsonFields(V& v, Sample& s) {
  v("ID", s.id);
  v("Name", s.name);
  v("Count", s.count);
  v("small", s.small, kOmitEmpty);
  v("Flag", s.flag);
  v("LockAcquiredBy", s.lock_by);
  v("Tags", s.tags, kOmitEmpty);
  v("Headers", s.headers);
  v("Labels", s.labels);
  v("Maybe", s.maybe, kOmitEmpty);
  v("Color", s.color);
  v("Data", s.data, kOmitEmpty);
  v("Raw", s.raw, kOmitEmpty);
  v("Omitted", s.omitted, kOmitEmpty);
}

TEST(JsonCodec, EncodesInDeclarationOrderWithOmitEmpty) {
  Sample s;
  s.id = "a";
  s.labels = {{"z", "1"}, {"b", "<&>"}};
  EXPECT_EQ(EncodeJson(s),
            R"({"ID":"a","Name":"","Count":0,"Flag":false,"LockAcquiredBy":null,"Headers":null,)"
            R"("Labels":{"b":"\u003c\u0026\u003e","z":"1"},"Color":"red"})");
  s.small = 3;
  s.tags = {"x"};
  s.headers = std::vector<Inner>{{"k", std::nullopt}};
  s.maybe = 0;  // a set pointer to zero is not empty
  s.data.data = "hi";
  s.color = Color::kDarkBlue;
  EXPECT_EQ(EncodeJson(s),
            R"({"ID":"a","Name":"","Count":0,"small":3,"Flag":false,"LockAcquiredBy":null,)"
            R"("Tags":["x"],"Headers":[{"key":"k"}],"Labels":{"b":"\u003c\u0026\u003e","z":"1"},)"
            R"("Maybe":0,"Color":"dark-blue","Data":"aGk="})");
}

TEST(JsonCodec, DecodesCaseInsensitivelyAndLastDuplicateWins) {
  auto r = DecodeJson<Sample>(R"({"id":"x","NAME":"n1","name":"n2","count":5,"unknown":1})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, "x");
  EXPECT_EQ(r->name, "n2");
  EXPECT_EQ(r->count, 5);
}

TEST(JsonCodec, ExactMatchWinsOverFold) {
  // "small" is an exact key; "SMALL" folds onto it as well.
  auto r = DecodeJson<Sample>(R"({"small":1,"Small":2})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->small, 2);
}

TEST(JsonCodec, EmptyBodyAndNullAreZero) {
  for (const char* text : {"", "  \n", "null"}) {
    auto r = DecodeJson<Sample>(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->id, "");
  }
}

TEST(JsonCodec, TrailingBytesAreIgnored) {
  auto r = DecodeJson<Sample>(R"({"ID":"a"} garbage)");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "a");
}

TEST(JsonCodec, TypeMismatchesAreInvalidArgument) {
  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{{R"({"Count":"5"})", "Count"},
                                         {R"({"Count":1.5})", "Count"},
                                         {R"({"Count":1e3})", "Count"},
                                         {R"({"small":3000000000})", "small"},
                                         {R"({"Name":{}})", "Name"},
                                         {R"({"Flag":"true"})", "Flag"},
                                         {R"({"Tags":"x"})", "Tags"},
                                         {R"({"Tags":[1]})", "Tags[0]"},
                                         {R"({"Headers":[{"key":3}]})", "Headers[0].key"},
                                         {R"({"Color":"green"})", "Color"},
                                         {R"({"Data":"!!"})", "Data"},
                                         {R"([1,2])", "$"},
                                         {R"({"ID":)", ""},
                                         {R"({"Count":99999999999999999999})", "Count"}}) {
    SCOPED_TRACE(c.text);
    auto r = DecodeJson<Sample>(c.text);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(c.field), std::string::npos) << r.error().message;
  }
}

TEST(JsonCodec, NullResetsNullablesAndKeepsPlainValues) {
  Sample s;
  s.name = "keep";
  s.lock_by = "me";
  s.tags = {"a"};
  ASSERT_TRUE(FromJson(Json::parse(R"({"Name":null,"LockAcquiredBy":null,"Tags":null})"), s));
  EXPECT_EQ(s.name, "keep");
  EXPECT_FALSE(s.lock_by.has_value());
  EXPECT_TRUE(s.tags.empty());
}

TEST(JsonCodec, RoundTripKeepsKeys) {
  const char* text =
      R"({"ID":"a","Name":"b","Count":-3,"small":2,"Flag":true,"LockAcquiredBy":"x",)"
      R"("Tags":["t"],"Headers":[{"key":"k","value":"v"}],"Labels":{"a":"b"},"Maybe":4,)"
      R"("Color":"dark-blue","Data":"AAEC","Raw":{"z":1,"a":[true]},"Omitted":"o"})";
  auto r = DecodeJson<Sample>(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(r->data.data, std::string("\0\1\2", 3));
}

TEST(Base64, MatchesStandardEncoding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zg=="), "f");
  EXPECT_EQ(*Base64Decode("Zm8="), "fo");
  EXPECT_FALSE(Base64Decode("Zm8").has_value());
}

TEST(DumpGoJson, EscapesLikeGo) {
  EXPECT_EQ(DumpGoJson(Json("a\u2028b")), "\"a\\u2028b\"");
  EXPECT_EQ(DumpGoJson(Json(std::string("bad\xff"))), "\"bad\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace cloud::model

namespace cloud::model {
namespace {

struct PointerSlices {
  std::optional<std::vector<std::string>> pointer_to_slice;  // Go *[]string omitempty
  std::optional<std::vector<std::string>> nilable_slice;     // Go []string omitempty
};
template <class V>
void JsonFields(V& v, PointerSlices& p) {
  v("command", p.pointer_to_slice, kOmitNil);
  v("tags", p.nilable_slice, kOmitEmpty);
}

TEST(JsonCodec, OmitNilKeepsPresentEmptyListsButOmitEmptyDoesNot) {
  PointerSlices p;
  EXPECT_EQ(EncodeJson(p), "{}");
  p.pointer_to_slice = std::vector<std::string>{};
  p.nilable_slice = std::vector<std::string>{};
  EXPECT_EQ(EncodeJson(p), R"({"command":[]})");
  p.nilable_slice->push_back("a");
  EXPECT_EQ(EncodeJson(p), R"({"command":[],"tags":["a"]})");
}

}  // namespace
}  // namespace cloud::model
