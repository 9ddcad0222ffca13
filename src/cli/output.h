// CLI output: JSON as upstream prints it (4-space indent, trailing newline), kubectl-style
// relaxed JSONPath for --custom-columns, and ASCII tables like olekukonko/tablewriter
// (spec upstream-api.md §7.1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::cli {

// Go's json.Encoder with SetIndent("", "    "): keys in order, `<>&` escaped, `{}`/`[]` for
// empty containers, followed by "\n".
std::string IndentJson(const model::Json& value);

// upstream relaxedJSONPathExpression: "{.ID}", "{ID}", ".ID" and "ID" all become "{.ID}";
// "" stays "". Errors: kInvalidArgument for anything else (e.g. "{a}{b}").
Result<std::string> RelaxedJsonPathExpression(std::string_view expression);

// A parsed JSONPath template such as "{.DNSRecords[0].DomainName}". Supported: `.field`,
// `[n]` (negative counts from the end), `[*]`, `.*`, `['field']`. Missing keys yield nothing.
class JsonPath {
 public:
  // Errors: kInvalidArgument naming the expression.
  static Result<JsonPath> Parse(std::string_view template_text);

  // All values the path selects in `root` (possibly none).
  std::vector<model::Json> Find(const model::Json& root) const;

 private:
  struct Step {
    enum class Kind { kField, kIndex, kWildcard } kind = Kind::kField;
    std::string field;
    long index = 0;
  };
  bool empty_ = true;
  std::vector<Step> steps_;
};

// A value as Go's fmt "%v" would show it for table cells: strings raw, numbers and bools as
// JSON, null as "<nil>", objects and arrays as compact JSON.
std::string FormatCellValue(const model::Json& value);

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// upstream prepareTableData: columns "<header>:<jsonpath>", evaluated on each element of
// `items` (a JSON array of the listed objects); no match → "<none>", several → joined by ",".
// Errors: kInvalidArgument for a column without ':' or a bad path.
Result<Table> PrepareTableData(const std::vector<std::string>& custom_columns,
                               const model::Json& items);

// tablewriter's header formatting: upper-case, '_' → ' ', '.' between non-digits → ' '.
std::string TableHeaderTitle(std::string_view name);

// Renders like tablewriter with SetAlignment(ALIGN_LEFT): bordered, centred upper-case
// headers, left-aligned cells, one space of padding.
std::string RenderTable(const Table& table);

}  // namespace cloud::cli
