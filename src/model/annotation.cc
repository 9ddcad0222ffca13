#include "model/annotation.h"

#include <algorithm>

namespace cloud::model {

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

bool MatchesAnnotationFormat(std::string_view name) {
  if (name.empty() || !IsLower(name.front())) return false;
  return std::ranges::all_of(
      name, [](char c) { return IsLower(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

}  // namespace

Result<void> ValidateAnnotationName(std::string_view name) {
  if (name.size() < kAnnotationMinLength || name.size() > kAnnotationMaxLength) {
    return InvalidArgument("annotation '" + std::string(name) +
                           "' is invalid: annotations must be between " +
                           std::to_string(kAnnotationMinLength) + " and " +
                           std::to_string(kAnnotationMaxLength) + " characters long");
  }
  if (!MatchesAnnotationFormat(name)) {
    return InvalidArgument("annotation '" + std::string(name) +
                           "' is invalid: annotations must start with a letter and can contain "
                           "only lowercase letters, numbers or '_', '-' characters");
  }
  return Ok();
}

Result<std::vector<Annotation>> AnnotationsFromNames(const std::vector<std::string>& names) {
  std::vector<Annotation> annotations;
  annotations.reserve(names.size());
  for (const std::string& name : names) {
    CLOUD_TRY_VOID(ValidateAnnotationName(name));
    annotations.push_back(Annotation{"", name});
  }
  return annotations;
}

void SortAnnotations(std::vector<Annotation>& annotations) {
  std::ranges::stable_sort(annotations, {}, &Annotation::name);
}

}  // namespace cloud::model
