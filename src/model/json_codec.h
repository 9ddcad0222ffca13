// JSON codecs for wire types with Go encoding/json semantics (spec upstream-api.md §1.3, §1.4).
//
// Every wire struct lists its fields once, in declaration order, in a JsonFields function:
//
//   template <class V> void JsonFields(V& v, Cluster& c) {
//     v("ID", c.id);
//     v("ProviderMetadataAWS", c.provider_metadata_aws, kOmitEmpty);
//   }
//
// and gets ToJson/EncodeJson/DecodeJson from the templates below. Encoding writes keys in that
// order (Go's struct order), omits kOmitEmpty fields when empty as Go's `omitempty` does, and
// writes map keys sorted. Decoding follows encoding/json: keys match case-insensitively (an
// exact match wins), the last duplicate wins, unknown keys are ignored, `null` leaves plain
// fields unchanged and resets optionals/nullable containers, and a type mismatch (string for
// int, 1.5 for int, object for string) is a kInvalidArgument error — never an exception.
//
// C++ ↔ Go type mapping:
//   std::string, bool, int64_t/int32_t/int  ↔ string, bool, ints (JSON integers only)
//   std::optional<T>                        ↔ *T (null when absent)
//   std::vector<T>                          ↔ []T never nil (encodes [] when empty)
//   std::optional<std::vector<T>>           ↔ []T that can be nil (encodes null when nullopt)
//   std::map<std::string, T>                ↔ map[string]T never nil
//   std::optional<std::map<...>>            ↔ map that can be nil
//   Bytes                                   ↔ []byte (base64 string)
//   Json                                    ↔ a raw JSON value kept as-is (Kubernetes sub-objects)
//   enum E with ToString(E) / ParseEnum(string_view, E&) found by ADL ↔ string
//   struct with JsonFields                  ↔ object
//   struct with custom ToJsonValue / FromJsonValue found by ADL ↔ anything
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/result.h"

namespace cloud::model {

using Json = nlohmann::ordered_json;

// Field options:
//   kOmitEmpty  Go `omitempty` on a value, slice or map: omitted when zero, empty or nil.
//   kOmitNil    Go `omitempty` on a pointer to a slice or map (`*[]T`): omitted only when the
//               optional is empty; a present empty list still encodes as `[]`.
enum FieldOption { kAlways = 0, kOmitEmpty = 1, kOmitNil = 2 };

// A []byte value; JSON carries it as standard base64.
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

std::string Base64Encode(std::string_view raw);
std::optional<std::string> Base64Decode(std::string_view text);

// Serialises like Go's json.Encoder: compact, `<`, `>`, `&`, U+2028 and U+2029 escaped,
// invalid UTF-8 replaced by U+FFFD. No trailing newline (the HTTP layer adds it).
std::string DumpGoJson(const Json& value);

// Parses the first JSON value of `text` (trailing bytes are ignored, as Go's Decoder does).
// An empty or all-whitespace text yields a null value. Errors: kInvalidArgument.
Result<Json> ParseJson(std::string_view text);

namespace json_internal {

// Traits ----------------------------------------------------------------------------------

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class T>
struct IsMap<std::map<std::string, T>> : std::true_type {};

struct NameCollector;

template <class T>
concept HasJsonFields = requires(NameCollector& v, T& t) {
  JsonFields(v, t);
};

template <class T>
concept HasCustomCodec = requires(const T& t, const Json& j, T& out, std::string& path) {
  { ToJsonValue(t) } -> std::same_as<Json>;
  { FromJsonValue(j, out, path) } -> std::same_as<Result<void>>;
};

template <class T>
concept IsWireEnum = std::is_enum_v<T> && requires(T e, std::string_view s, T& out) {
  { ToString(e) } -> std::convertible_to<std::string_view>;
  { ParseEnum(s, out) } -> std::same_as<bool>;
};

std::string TypeNameOf(const Json& j);
Error TypeError(const std::string& path, std::string_view expected, const Json& got);
bool EqualFoldAscii(std::string_view a, std::string_view b);

// Emptiness as Go's omitempty sees it.
template <class T>
bool IsEmpty(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return value.empty();
  } else if constexpr (std::is_same_v<T, bool>) {
    return !value;
  } else if constexpr (std::is_arithmetic_v<T>) {
    return value == 0;
  } else if constexpr (IsOptional<T>::value) {
    return !value.has_value();
  } else if constexpr (IsVector<T>::value || IsMap<T>::value) {
    return value.empty();
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return value.data.empty();
  } else if constexpr (std::is_same_v<T, Json>) {
    return value.is_null();
  } else if constexpr (IsWireEnum<T>) {
    return ToString(value).empty();
  } else {
    return false;  // structs are never empty for encoding/json
  }
}

// Encoding --------------------------------------------------------------------------------

template <class T>
Json Encode(const T& value);

class Encoder {
 public:
  template <class T>
  void operator()(std::string_view key, T& value, FieldOption option = kAlways) {
    if (option == kOmitNil) {
      if constexpr (IsOptional<T>::value) {
        if (!value.has_value()) return;
      } else if (IsEmpty(value)) {
        return;
      }
    } else if (option == kOmitEmpty) {
      // An optional<vector/map> stands for a nil-able Go slice or map, which omitempty omits
      // when nil or empty.
      if constexpr (IsOptional<T>::value) {
        if (!value.has_value()) return;
        using Inner = typename T::value_type;
        if constexpr (IsVector<Inner>::value || IsMap<Inner>::value) {
          if (value->empty()) return;
        }
      } else if (IsEmpty(value)) {
        return;
      }
    }
    out[std::string(key)] = Encode(value);
  }
  Json out = Json::object();
};

template <class T>
Json Encode(const T& value) {
  if constexpr (std::is_same_v<T, Json>) {
    return value;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                       std::is_arithmetic_v<T>) {
    return Json(value);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return Json(Base64Encode(value.data));
  } else if constexpr (IsOptional<T>::value) {
    return value.has_value() ? Encode(*value) : Json(nullptr);
  } else if constexpr (IsVector<T>::value) {
    Json arr = Json::array();
    for (const auto& item : value) arr.push_back(Encode(item));
    return arr;
  } else if constexpr (IsMap<T>::value) {
    Json obj = Json::object();  // std::map iterates sorted, as Go writes map keys
    for (const auto& [k, v] : value) obj[k] = Encode(v);
    return obj;
  } else if constexpr (IsWireEnum<T>) {
    return Json(std::string(ToString(value)));
  } else if constexpr (HasCustomCodec<T>) {
    return ToJsonValue(value);
  } else if constexpr (HasJsonFields<T>) {
    Encoder encoder;
    JsonFields(encoder, const_cast<T&>(value));  // the encoder only reads
    return std::move(encoder.out);
  } else {
    static_assert(sizeof(T) == 0, "type has no JSON codec");
  }
}

// Decoding --------------------------------------------------------------------------------

struct NameCollector {
  template <class T>
  void operator()(std::string_view key, T&, FieldOption = kAlways) {
    names.push_back(key);
  }
  std::vector<std::string_view> names;
};

template <class T>
Result<void> Decode(const Json& j, T& out, std::string& path);

// For each input key of an object, the index of the field it sets (Go: exact name first, then
// case-insensitive), or -1.
std::vector<int> ResolveKeys(const Json& object, const std::vector<std::string_view>& names);

class Decoder {
 public:
  Decoder(const Json& object, std::vector<int> key_to_field, std::string& path)
      : object_(object), key_to_field_(std::move(key_to_field)), path_(path) {}

  template <class T>
  void operator()(std::string_view key, T& value, FieldOption = kAlways) {
    const int field = next_field_++;
    if (!error_.has_value()) {
      // Every input key that resolves to this field is applied in order: the last one wins.
      size_t index = 0;
      for (auto it = object_.begin(); it != object_.end(); ++it, ++index) {
        if (key_to_field_[index] != field) continue;
        const size_t mark = path_.size();
        path_ += '.';
        path_ += key;
        Result<void> r = Decode(it.value(), value, path_);
        path_.resize(mark);
        if (!r) {
          error_ = std::move(r).error();
          return;
        }
      }
    }
  }

  std::optional<Error> error_;

 private:
  const Json& object_;
  std::vector<int> key_to_field_;
  std::string& path_;
  int next_field_ = 0;
};

template <class T>
const std::vector<std::string_view>& FieldNames() {
  static const std::vector<std::string_view> names = [] {
    NameCollector collector;
    T probe{};
    JsonFields(collector, probe);
    return collector.names;
  }();
  return names;
}

template <class Int>
Result<void> DecodeInteger(const Json& j, Int& out, std::string& path) {
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    const int64_t v = j.get<int64_t>();
    if (v < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
        v > static_cast<int64_t>(std::numeric_limits<Int>::max())) {
      return TypeError(path, "integer in range", j);
    }
    out = static_cast<Int>(v);
    return Ok();
  }
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
      return TypeError(path, "integer in range", j);
    }
    out = static_cast<Int>(v);
    return Ok();
  }
  return TypeError(path, "integer", j);
}

template <class T>
Result<void> Decode(const Json& j, T& out, std::string& path) {
  if constexpr (std::is_same_v<T, Json>) {
    out = j;
    return Ok();
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out.reset();
      return Ok();
    }
    typename T::value_type inner{};
    if (out.has_value()) inner = *out;  // Go decodes into the existing pointee
    CLOUD_TRY_VOID(Decode(j, inner, path));
    out = std::move(inner);
    return Ok();
  } else {
    if (j.is_null()) {
      // Go: null is a no-op for plain values; it resets slices and maps to nil.
      if constexpr (IsVector<T>::value || IsMap<T>::value) out.clear();
      return Ok();
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (!j.is_string()) return TypeError(path, "string", j);
      out = j.get<std::string>();
      return Ok();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!j.is_boolean()) return TypeError(path, "boolean", j);
      out = j.get<bool>();
      return Ok();
    } else if constexpr (std::is_integral_v<T>) {
      return DecodeInteger(j, out, path);
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!j.is_number()) return TypeError(path, "number", j);
      out = j.get<T>();
      return Ok();
    } else if constexpr (std::is_same_v<T, Bytes>) {
      if (!j.is_string()) return TypeError(path, "base64 string", j);
      std::optional<std::string> raw = Base64Decode(j.get_ref<const std::string&>());
      if (!raw) return InvalidArgument("invalid JSON: " + path + ": illegal base64 data");
      out.data = std::move(*raw);
      return Ok();
    } else if constexpr (IsVector<T>::value) {
      if (!j.is_array()) return TypeError(path, "array", j);
      T result;
      result.reserve(j.size());
      for (size_t i = 0; i < j.size(); ++i) {
        const size_t mark = path.size();
        path += '[' + std::to_string(i) + ']';
        typename T::value_type item{};
        Result<void> r = Decode(j[i], item, path);
        path.resize(mark);
        if (!r) return r;
        result.push_back(std::move(item));
      }
      out = std::move(result);
      return Ok();
    } else if constexpr (IsMap<T>::value) {
      if (!j.is_object()) return TypeError(path, "object", j);
      // Go decodes into the existing map (keys are added or replaced, none removed).
      for (auto it = j.begin(); it != j.end(); ++it) {
        const size_t mark = path.size();
        path += '[' + it.key() + ']';
        typename T::mapped_type item{};
        Result<void> r = Decode(it.value(), item, path);
        path.resize(mark);
        if (!r) return r;
        out[it.key()] = std::move(item);
      }
      return Ok();
    } else if constexpr (IsWireEnum<T>) {
      if (!j.is_string()) return TypeError(path, "string", j);
      if (!ParseEnum(j.get_ref<const std::string&>(), out)) {
        return InvalidArgument("invalid JSON: " + path + ": unknown value \"" +
                               j.get<std::string>() + "\"");
      }
      return Ok();
    } else if constexpr (HasCustomCodec<T>) {
      return FromJsonValue(j, out, path);
    } else if constexpr (HasJsonFields<T>) {
      if (!j.is_object()) return TypeError(path, "object", j);
      Decoder decoder(j, ResolveKeys(j, FieldNames<T>()), path);
      JsonFields(decoder, out);
      if (decoder.error_) return *decoder.error_;
      return Ok();
    } else {
      static_assert(sizeof(T) == 0, "type has no JSON codec");
    }
  }
}

}  // namespace json_internal

// A wire value as a JSON tree (keys in Go's order).
template <class T>
Json ToJson(const T& value) {
  return json_internal::Encode(value);
}

// A wire value serialised as Go's json.Encoder would (without the trailing newline).
template <class T>
std::string EncodeJson(const T& value) {
  return DumpGoJson(json_internal::Encode(value));
}

// Decodes a JSON tree into `out` (fields absent from the input keep their current values, as
// Go's Unmarshal does). Errors: kInvalidArgument naming the offending field.
template <class T>
Result<void> FromJson(const Json& j, T& out) {
  std::string path = "$";
  return json_internal::Decode(j, out, path);
}

// Decodes text into a fresh value. An empty body or `null` yields the zero value (Go's
// behaviour for request bodies). Errors: kInvalidArgument.
template <class T>
Result<T> DecodeJson(std::string_view text) {
  CLOUD_TRY(Json tree, ParseJson(text));
  T value{};
  CLOUD_TRY_VOID(FromJson(tree, value));
  return value;
}

}  // namespace cloud::model
