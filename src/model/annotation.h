// Annotations: global named labels shared by clusters, installations and groups, and the
// request that adds them (spec upstream-api.md §4.1 Annotation, §4.2, §5.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::model {

struct Annotation {
  std::string id;
  std::string name;
  friend bool operator==(const Annotation&, const Annotation&) = default;
};

template <class V>
void JsonFields(V& v, Annotation& a) {
  v("ID", a.id);
  v("Name", a.name);
}

// Body of POST .../annotations (cluster, installation and group routes).
// `annotations` is a Go []string without omitempty: nullopt encodes as null.
struct AddAnnotationsRequest {
  std::optional<std::vector<std::string>> annotations;
  friend bool operator==(const AddAnnotationsRequest&, const AddAnnotationsRequest&) = default;
};

template <class V>
void JsonFields(V& v, AddAnnotationsRequest& r) {
  v("annotations", r.annotations);
}

inline constexpr size_t kAnnotationMinLength = 3;
inline constexpr size_t kAnnotationMaxLength = 64;

// A name is valid if it is 3-64 bytes long and matches ^[a-z]+[a-z0-9_-]*$.
// Errors: kInvalidArgument with upstream's message, e.g. "annotation 'Ab' is invalid:
// annotations must be between 3 and 64 characters long".
Result<void> ValidateAnnotationName(std::string_view name);

// Validates every name and turns them into annotations without IDs (upstream
// AnnotationsFromStringSlice). Errors: kInvalidArgument for the first invalid name.
Result<std::vector<Annotation>> AnnotationsFromNames(const std::vector<std::string>& names);

// Sorts annotations by name (upstream SortAnnotations).
void SortAnnotations(std::vector<Annotation>& annotations);

}  // namespace cloud::model
