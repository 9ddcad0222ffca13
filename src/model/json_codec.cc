#include "model/json_codec.h"

#include <openssl/evp.h>

#include <sstream>

#include "model/json_stream.h"

namespace cloud::model {

std::string Base64Encode(std::string_view raw) {
  if (raw.empty()) return "";
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.empty()) return std::string();
  if (text.size() % 4 != 0) return std::nullopt;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string DumpGoJson(const Json& value) {
  const std::string raw = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size() + 16);
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    // `<`, `>` and `&` can only occur inside strings in JSON text, so this is safe.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
               (raw[i + 2] == '\xa8' || raw[i + 2] == '\xa9')) {
      out += raw[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace json_internal {

void AppendGoJsonString(std::string& out, std::string_view text) {
  // Printable ASCII other than the characters either encoder escapes is written as is; any
  // other text goes through DumpGoJson (control characters, `<>&`, UTF-8 checks, U+2028).
  for (char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
      out += DumpGoJson(Json(std::string(text)));
      return;
    }
  }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

}  // namespace json_internal

Result<Json> ParseJson(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && (text[start] == ' ' || text[start] == '\t' || text[start] == '\n' ||
                                 text[start] == '\r')) {
    ++start;
  }
  if (start == text.size()) return Json(nullptr);
  // A SAX parse in non-strict mode reads the first value and ignores what follows it.
  Json result;
  try {
    nlohmann::detail::json_sax_dom_parser<Json> sax(result, /*allow_exceptions=*/false);
    const bool ok = Json::sax_parse(text.substr(start), &sax, Json::input_format_t::json,
                                    /*strict=*/false);
    if (!ok || result.is_discarded()) {
      return InvalidArgument("invalid JSON: malformed request body");
    }
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
  return result;
}

namespace json_internal {

std::string TypeNameOf(const Json& j) {
  if (j.is_number_float()) return "number " + j.dump();
  if (j.is_number()) return "number " + j.dump();
  return j.type_name();
}

Error TypeError(const std::string& path, std::string_view expected, const Json& got) {
  return InvalidArgument("invalid JSON: " + path + ": expected " + std::string(expected) +
                         ", got " + TypeNameOf(got));
}

bool EqualFoldAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::vector<int> ResolveKeys(const Json& object, const std::vector<std::string_view>& names) {
  std::vector<int> result;
  result.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    int found = -1;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == key) {
        found = static_cast<int>(i);
        break;
      }
    }
    if (found < 0) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (EqualFoldAscii(names[i], key)) {
          found = static_cast<int>(i);
          break;
        }
      }
    }
    result.push_back(found);
  }
  return result;
}

}  // namespace json_internal
}  // namespace cloud::model
