// JSON printing, relaxed JSONPath, custom columns and table rendering.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/output.h"

namespace cloud::cli {
namespace {

using model::Json;

TEST(IndentJson, MatchesGoEncoderWithFourSpaceIndent) {
  Json value = Json::parse(
      R"({"ID":"a","List":[1,2],"Empty":[],"Obj":{},"Nested":{"K":"<v>&"},"Null":null,"B":true})");
  EXPECT_EQ(IndentJson(value),
            "{\n"
            "    \"ID\": \"a\",\n"
            "    \"List\": [\n"
            "        1,\n"
            "        2\n"
            "    ],\n"
            "    \"Empty\": [],\n"
            "    \"Obj\": {},\n"
            "    \"Nested\": {\n"
            "        \"K\": \"\\u003cv\\u003e\\u0026\"\n"
            "    },\n"
            "    \"Null\": null,\n"
            "    \"B\": true\n"
            "}\n");
  EXPECT_EQ(IndentJson(Json(nullptr)), "null\n");
  EXPECT_EQ(IndentJson(Json::array()), "[]\n");
}

TEST(RelaxedJsonPathExpression, AcceptsTheFourUpstreamForms) {
  struct Case {
    std::string in;
    std::string out;  // "" with ok=false: error
    bool ok;
  };
  const std::vector<Case> cases = {
      {"{.ID}", "{.ID}", true},
      {"{ID}", "{.ID}", true},
      {".ID", "{.ID}", true},
      {"ID", "{.ID}", true},
      {".A.B[0].C", "{.A.B[0].C}", true},
      {"", "", true},
      {"{a}{b}", "", false},
      {"{.a", "", false},
      {".", "", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Result<std::string> r = RelaxedJsonPathExpression(c.in);
    ASSERT_EQ(r.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(*r, c.out);
    }
  }
}

TEST(JsonPath, FindsFieldsIndexesAndWildcards) {
  Json doc = Json::parse(R"({"ID":"i1","Meta":{"VPC":"vpc-1"},"Ann":[{"Name":"a"},{"Name":"b"}],
                             "N":3,"Nil":null})");
  struct Case {
    std::string path;
    std::vector<std::string> values;  // FormatCellValue of each result
  };
  const std::vector<Case> cases = {
      {"{.ID}", {"i1"}},
      {"{.Meta.VPC}", {"vpc-1"}},
      {"{.Ann[0].Name}", {"a"}},
      {"{.Ann[-1].Name}", {"b"}},
      {"{.Ann[*].Name}", {"a", "b"}},
      {"{.Ann[5].Name}", {}},
      {"{.Missing}", {}},
      {"{.Meta.VPC.Deeper}", {}},
      {"{.N}", {"3"}},
      {"{.Nil}", {"<nil>"}},
      {"{.Meta}", {R"({"VPC":"vpc-1"})"}},
      {"{.Meta['VPC']}", {"vpc-1"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    Result<JsonPath> path = JsonPath::Parse(c.path);
    ASSERT_TRUE(path) << path.error().message;
    std::vector<std::string> got;
    for (const Json& v : path->Find(doc)) got.push_back(FormatCellValue(v));
    EXPECT_EQ(got, c.values);
  }
  EXPECT_FALSE(JsonPath::Parse("{.a[x]}"));
  EXPECT_FALSE(JsonPath::Parse("{.a..b}"));
}

// upstream cmd/cloud/table_printer_test.go TestCustomColumnsTable, on the JSON of the DTOs.
TEST(PrepareTableData, MatchesUpstreamCustomColumnsTest) {
  Json data = Json::parse(R"([
    {"ID":"installation-1","OwnerID":"unit-test","State":"stable",
     "Annotations":[{"ID":"annotation-1","Name":"test"}],
     "DNSRecords":[{"DomainName":"unit-test.mattermost.com"}]},
    {"ID":"installation-2","OwnerID":"unit-test","State":"creation-in-progress",
     "Annotations":[{"ID":"annotation-2","Name":"test-123"}],
     "DNSRecords":[{"DomainName":"unit-test2.mattermost.com"}]},
    {"ID":"installation-3","OwnerID":"","State":"deleted",
     "Annotations":[{"ID":"annotation-2","Name":"test-123"},{"ID":"annotation-1","Name":"test"}],
     "DNSRecords":[{"DomainName":"unit-test3.mattermost.com"}]}
  ])");
  Result<Table> table =
      PrepareTableData({"ID:.ID", "Owner:{.OwnerID}", "DNS:.DNSRecords[0].DomainName",
                        "State:State", "FirstAnnotation:{Annotations[0].Name}", "Smell:.Smell"},
                       data);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->headers,
            (std::vector<std::string>{"ID", "Owner", "DNS", "State", "FirstAnnotation", "Smell"}));
  const std::vector<std::vector<std::string>> expected = {
      {"installation-1", "unit-test", "unit-test.mattermost.com", "stable", "test", "<none>"},
      {"installation-2", "unit-test", "unit-test2.mattermost.com", "creation-in-progress",
       "test-123", "<none>"},
      {"installation-3", "", "unit-test3.mattermost.com", "deleted", "test-123", "<none>"},
  };
  EXPECT_EQ(table->rows, expected);

  Result<Table> joined = PrepareTableData({"NAMES:.Annotations[*].Name"}, data);
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->rows[2], (std::vector<std::string>{"test-123,test"}));

  Result<Table> bad = PrepareTableData({"NoColon"}, data);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "failed to parse custom columns: unexpected custom-columns spec: NoColon, expected "
            "<header>:<json-path-expr>");
}

TEST(TableHeaderTitle, FollowsTablewriterTitle) {
  EXPECT_EQ(TableHeaderTitle("FirstAnnotation"), "FIRSTANNOTATION");
  EXPECT_EQ(TableHeaderTitle("installation_id"), "INSTALLATION ID");
  EXPECT_EQ(TableHeaderTitle("a.b"), "A B");
  EXPECT_EQ(TableHeaderTitle("v1.0"), "V1.0");
  EXPECT_EQ(TableHeaderTitle("v.x"), "V X");
  EXPECT_EQ(TableHeaderTitle("1.0"), "1.0");
  EXPECT_EQ(TableHeaderTitle("_"), " ");
}

TEST(RenderTable, DrawsTablewriterDefaultBordersWithCentredHeaders) {
  Table table;
  table.headers = {"ID", "State", "dns"};
  table.rows = {{"abc", "stable", "x.example.com"}, {"defgh", "creation-requested", ""}};
  EXPECT_EQ(RenderTable(table),
            "+-------+--------------------+---------------+\n"
            "|  ID   |       STATE        |      DNS      |\n"
            "+-------+--------------------+---------------+\n"
            "| abc   | stable             | x.example.com |\n"
            "| defgh | creation-requested |               |\n"
            "+-------+--------------------+---------------+\n");
  Table empty;
  empty.headers = {"ID"};
  EXPECT_EQ(RenderTable(empty),
            "+----+\n"
            "| ID |\n"
            "+----+\n"
            "+----+\n");
}

}  // namespace
}  // namespace cloud::cli
