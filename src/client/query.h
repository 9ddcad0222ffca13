// Query strings and URL escaping as Go's net/url does them (the Go client builds every URL with
// url.Values.Encode, which sorts parameters by key).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cloud::client {

// Go's url.QueryEscape: unreserved bytes kept, space → '+', everything else %XX.
std::string QueryEscape(std::string_view text);
// Go's url.PathEscape: like QueryEscape, but space → %20 and sub-delimiters kept.
std::string PathEscape(std::string_view text);

// Query parameters, encoded like Go's url.Values.Encode: sorted by key, values of one key in
// insertion order.
class Query {
 public:
  Query& Add(std::string key, std::string value);
  Query& Add(std::string key, bool value) { return Add(std::move(key), value ? "true" : "false"); }
  Query& Add(std::string key, const char* value) { return Add(std::move(key), std::string(value)); }
  Query& Add(std::string key, int64_t value) { return Add(std::move(key), std::to_string(value)); }
  Query& Add(std::string key, int value) { return Add(std::move(key), std::to_string(value)); }
  // upstream model.Paging.AddToQuery: always page and per_page; include_deleted only if true.
  Query& AddPaging(int64_t page, int64_t per_page, bool include_deleted);

  bool empty() const { return params_.empty(); }
  // "a=1&b=x+y" (no leading '?'); "" when empty.
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace cloud::client
