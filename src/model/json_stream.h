// Direct JSON serialisation of wire types: EncodeJsonDirect(value) gives exactly the bytes of
// EncodeJson(value) (the tree encoder + DumpGoJson of json_codec.h) without building the
// nlohmann tree first. The API uses it for response bodies, where building the tree cost most
// of a GET's CPU time; tests/unit/model/json_stream_test.cc compares the two encoders.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include "model/json_codec.h"

namespace cloud::model {
namespace json_internal {

// Appends a JSON string exactly as DumpGoJson writes it.
void AppendGoJsonString(std::string& out, std::string_view text);

// Whether the tree Encoder leaves a field with `option` out.
template <class T>
bool OmitFieldDirect(const T& value, FieldOption option) {
  if (option == kOmitNil) {
    if constexpr (IsOptional<T>::value) {
      return !value.has_value();
    } else {
      return IsEmpty(value);
    }
  } else if (option == kOmitEmpty) {
    if constexpr (IsOptional<T>::value) {
      if (!value.has_value()) return true;
      using Inner = typename T::value_type;
      if constexpr (IsVector<Inner>::value || IsMap<Inner>::value) return value->empty();
      return false;
    } else {
      return IsEmpty(value);
    }
  }
  return false;
}

template <class T>
void WriteDirect(std::string& out, const T& value);

class DirectEncoder {
 public:
  explicit DirectEncoder(std::string& out) : out_(out) {}
  template <class T>
  void operator()(std::string_view key, T& value, FieldOption option = kAlways) {
    if (OmitFieldDirect(value, option)) return;
    if (!first_) out_.push_back(',');
    first_ = false;
    AppendGoJsonString(out_, key);
    out_.push_back(':');
    WriteDirect(out_, value);
  }

 private:
  std::string& out_;
  bool first_ = true;
};

// Same type dispatch, in the same order, as json_internal::Encode.
template <class T>
void WriteDirect(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, Json>) {
    out += DumpGoJson(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    AppendGoJsonString(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, end);
  } else if constexpr (std::is_arithmetic_v<T>) {
    out += DumpGoJson(Json(value));  // floats: nlohmann's formatting, as Encode
  } else if constexpr (std::is_same_v<T, Bytes>) {
    AppendGoJsonString(out, Base64Encode(value.data));
  } else if constexpr (IsOptional<T>::value) {
    if (value.has_value()) {
      WriteDirect(out, *value);
    } else {
      out += "null";
    }
  } else if constexpr (IsVector<T>::value) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : value) {
      if (!first) out.push_back(',');
      first = false;
      WriteDirect(out, item);
    }
    out.push_back(']');
  } else if constexpr (IsMap<T>::value) {
    out.push_back('{');  // std::map iterates sorted, as Go writes map keys
    bool first = true;
    for (const auto& [k, v] : value) {
      if (!first) out.push_back(',');
      first = false;
      AppendGoJsonString(out, k);
      out.push_back(':');
      WriteDirect(out, v);
    }
    out.push_back('}');
  } else if constexpr (IsWireEnum<T>) {
    AppendGoJsonString(out, ToString(value));
  } else if constexpr (HasCustomCodec<T>) {
    out += DumpGoJson(ToJsonValue(value));
  } else if constexpr (HasJsonFields<T>) {
    out.push_back('{');
    DirectEncoder encoder(out);
    JsonFields(encoder, const_cast<T&>(value));  // the encoder only reads
    out.push_back('}');
  } else {
    static_assert(sizeof(T) == 0, "type has no JSON codec");
  }
}

}  // namespace json_internal

// EncodeJson(value), written directly. A wire struct must not list one key twice (the tree
// encoder would keep the first position, this one writes both).
template <class T>
std::string EncodeJsonDirect(const T& value) {
  std::string out;
  out.reserve(512);
  json_internal::WriteDirect(out, value);
  return out;
}

}  // namespace cloud::model
