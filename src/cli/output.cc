// JSON, JSONPath and table output for the CLI.
#include "cli/output.h"

#include <algorithm>
#include <charconv>

namespace cloud::cli {
namespace {

using model::Json;

void AppendIndented(std::string& out, const Json& value, int depth) {
  constexpr std::string_view kIndent = "    ";
  auto newline = [&](int d) {
    out += '\n';
    for (int i = 0; i < d; ++i) out += kIndent;
  };
  if (value.is_object()) {
    if (value.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      out += model::DumpGoJson(Json(it.key()));
      out += ": ";
      AppendIndented(out, it.value(), depth + 1);
    }
    newline(depth);
    out += '}';
  } else if (value.is_array()) {
    if (value.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const Json& item : value) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      AppendIndented(out, item, depth + 1);
    }
    newline(depth);
    out += ']';
  } else {
    out += model::DumpGoJson(value);
  }
}

// Display width: one column per UTF-8 code point.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string PadRight(const std::string& text, size_t width) {
  const size_t w = DisplayWidth(text);
  return w >= width ? text : text + std::string(width - w, ' ');
}

// tablewriter.Pad: the smaller half of the gap goes left.
std::string PadCenter(const std::string& text, size_t width) {
  const size_t w = DisplayWidth(text);
  if (w >= width) return text;
  const size_t gap = width - w;
  const size_t left = gap / 2;
  return std::string(left, ' ') + text + std::string(gap - left, ' ');
}

bool IsNumOrSpace(char c) { return (c >= '0' && c <= '9') || c == ' '; }

Error PathError(std::string_view text, std::string_view why) {
  return InvalidArgument("failed to parse jsonpath expression \"" + std::string(text) +
                         "\": " + std::string(why));
}

}  // namespace

std::string IndentJson(const Json& value) {
  std::string out;
  AppendIndented(out, value, 0);
  out += '\n';
  return out;
}

Result<std::string> RelaxedJsonPathExpression(std::string_view expression) {
  if (expression.empty()) return std::string();
  // ^\{\.?([^{}]+)\}$|^\.?([^{}]+)$
  std::string_view spec = expression;
  if (spec.front() == '{') {
    if (spec.size() < 2 || spec.back() != '}')
      spec = {};
    else
      spec = spec.substr(1, spec.size() - 2);
  }
  if (!spec.empty() && spec.front() == '.') spec.remove_prefix(1);
  if (spec.empty() || spec.find_first_of("{}") != std::string_view::npos) {
    return InvalidArgument(
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' "
        "or '{.name1.name2}'");
  }
  return "{." + std::string(spec) + "}";
}

Result<JsonPath> JsonPath::Parse(std::string_view template_text) {
  JsonPath path;
  if (template_text.empty()) return path;
  if (template_text.size() < 2 || template_text.front() != '{' || template_text.back() != '}') {
    return PathError(template_text, "expected {...}");
  }
  std::string_view body = template_text.substr(1, template_text.size() - 2);
  path.empty_ = false;
  size_t i = 0;
  while (i < body.size()) {
    const char c = body[i];
    if (c == '.') {
      ++i;
      if (i < body.size() && body[i] == '.') return PathError(template_text, "'..' unsupported");
      const size_t start = i;
      while (i < body.size() && body[i] != '.' && body[i] != '[') ++i;
      std::string_view name = body.substr(start, i - start);
      if (name.empty()) {
        if (i == body.size() && start == 1 && body.size() == 1) break;  // "{.}": the root
        return PathError(template_text, "empty field name");
      }
      Step step;
      if (name == "*") {
        step.kind = Step::Kind::kWildcard;
      } else {
        step.field = std::string(name);
      }
      path.steps_.push_back(std::move(step));
    } else if (c == '[') {
      const size_t close = body.find(']', i);
      if (close == std::string_view::npos) return PathError(template_text, "unclosed '['");
      std::string_view inner = body.substr(i + 1, close - i - 1);
      i = close + 1;
      Step step;
      if (inner == "*") {
        step.kind = Step::Kind::kWildcard;
      } else if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
                 inner.back() == inner.front()) {
        step.field = std::string(inner.substr(1, inner.size() - 2));
      } else {
        long index = 0;
        auto [ptr, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), index);
        if (ec != std::errc() || ptr != inner.data() + inner.size()) {
          return PathError(template_text, "unsupported subscript [" + std::string(inner) + "]");
        }
        step.kind = Step::Kind::kIndex;
        step.index = index;
      }
      path.steps_.push_back(std::move(step));
    } else {
      return PathError(template_text, "unexpected character '" + std::string(1, c) + "'");
    }
  }
  return path;
}

std::vector<Json> JsonPath::Find(const Json& root) const {
  if (empty_) return {};
  std::vector<const Json*> current = {&root};
  for (const Step& step : steps_) {
    std::vector<const Json*> next;
    for (const Json* value : current) {
      switch (step.kind) {
        case Step::Kind::kField: {
          if (!value->is_object()) break;
          auto it = value->find(step.field);
          if (it != value->end()) next.push_back(&*it);
          break;
        }
        case Step::Kind::kIndex: {
          if (!value->is_array()) break;
          const long size = static_cast<long>(value->size());
          const long index = step.index < 0 ? size + step.index : step.index;
          if (index >= 0 && index < size) next.push_back(&(*value)[static_cast<size_t>(index)]);
          break;
        }
        case Step::Kind::kWildcard: {
          if (value->is_array() || value->is_object()) {
            for (const Json& item : *value) next.push_back(&item);
          }
          break;
        }
      }
    }
    current = std::move(next);
  }
  std::vector<Json> results;
  results.reserve(current.size());
  for (const Json* value : current) results.push_back(*value);
  return results;
}

std::string FormatCellValue(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "<nil>";
  return model::DumpGoJson(value);
}

Result<Table> PrepareTableData(const std::vector<std::string>& custom_columns, const Json& items) {
  Table table;
  std::vector<JsonPath> paths;
  for (const std::string& column : custom_columns) {
    const size_t colon = column.find(':');
    if (colon == std::string::npos) {
      return InvalidArgument("failed to parse custom columns: unexpected custom-columns spec: " +
                             column + ", expected <header>:<json-path-expr>");
    }
    table.headers.push_back(column.substr(0, colon));
    Result<std::string> spec = RelaxedJsonPathExpression(column.substr(colon + 1));
    if (!spec) return spec.error().WithContext("failed to parse custom columns");
    Result<JsonPath> path = JsonPath::Parse(*spec);
    if (!path) return path.error().WithContext("failed to parse custom columns");
    paths.push_back(std::move(*path));
  }
  if (!items.is_array()) return table;
  for (const Json& item : items) {
    std::vector<std::string> row;
    for (const JsonPath& path : paths) {
      std::vector<Json> values = path.Find(item);
      if (values.empty()) {
        row.emplace_back("<none>");
        continue;
      }
      std::string cell;
      for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) cell += ',';
        cell += FormatCellValue(values[i]);
      }
      row.push_back(std::move(cell));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string TableHeaderTitle(std::string_view name) {
  std::string out(name);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '_') {
      out[i] = ' ';
    } else if (out[i] == '.') {
      // tablewriter keeps the dot of a number such as "0.0".
      if ((i != 0 && !IsNumOrSpace(out[i - 1])) ||
          (i + 1 != out.size() && !IsNumOrSpace(out[i + 1]))) {
        out[i] = ' ';
      }
    }
  }
  const size_t original = out.size();
  const size_t begin = out.find_first_not_of(" \t\r\n");
  const size_t end = out.find_last_not_of(" \t\r\n");
  out = begin == std::string::npos ? std::string() : out.substr(begin, end - begin + 1);
  if (out.empty() && original > 0) out = " ";
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  return out;
}

std::string RenderTable(const Table& table) {
  std::vector<std::string> headers;
  headers.reserve(table.headers.size());
  for (const std::string& h : table.headers) headers.push_back(TableHeaderTitle(h));
  size_t columns = headers.size();
  for (const auto& row : table.rows) columns = std::max(columns, row.size());
  std::vector<size_t> widths(columns, 0);
  for (size_t c = 0; c < headers.size(); ++c) widths[c] = DisplayWidth(headers[c]);
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  std::string line = "+";
  for (size_t w : widths) line += std::string(w + 2, '-') + "+";
  line += '\n';

  std::string out = line;
  if (!headers.empty()) {
    out += '|';
    for (size_t c = 0; c < columns; ++c) {
      const std::string cell = c < headers.size() ? headers[c] : "";
      out += ' ' + PadCenter(cell, widths[c]) + " |";
    }
    out += '\n';
    out += line;
  }
  for (const auto& row : table.rows) {
    out += '|';
    for (size_t c = 0; c < columns; ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      out += ' ' + PadRight(cell, widths[c]) + " |";
    }
    out += '\n';
  }
  out += line;
  return out;
}

}  // namespace cloud::cli
