// AnnotationStore: global named labels (Annotation rows, never deleted) and their links to
// clusters, installations and groups (ClusterAnnotation, InstallationAnnotation,
// GroupAnnotation; links are hard-deleted). Spec upstream-core.md §3.3, §3.6, §6.1.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/annotation.h"

namespace cloud::store {

// The kinds of rows annotations are linked to.
enum class AnnotatedResource { kCluster, kInstallation, kGroup };

class AnnotationStore {
 public:
  virtual ~AnnotationStore() = default;

  // The existing annotations with these names, sorted by name; unknown names are left out (the
  // caller compares sizes to detect them, as upstream's group selection does).
  virtual Result<std::vector<model::Annotation>> GetAnnotationsByName(
      const std::vector<std::string>& names) = 0;

  // The annotations with these names, created when missing (one transaction), in the order of
  // `names` (duplicates collapsed).
  virtual Result<std::vector<model::Annotation>> GetOrCreateAnnotations(
      const std::vector<std::string>& names) = 0;

  // The annotations linked to one resource, sorted by name (empty when none or unknown).
  virtual Result<std::vector<model::Annotation>> GetAnnotationsFor(AnnotatedResource kind,
                                                                   std::string_view id) = 0;

  // The annotations of many resources at once: id -> annotations sorted by name; resources
  // without annotations are absent from the map.
  virtual Result<std::map<std::string, std::vector<model::Annotation>>> GetAnnotationsForMany(
      AnnotatedResource kind, const std::vector<std::string>& ids) = 0;

  // Gets or creates the annotations and links them to the resource, in one transaction.
  // Returns the linked annotations in request order.
  // Errors: kInvalidArgument for an empty list; kAlreadyExists when one of them is already
  // linked to the resource (nothing is linked then).
  virtual Result<std::vector<model::Annotation>> LinkAnnotations(
      AnnotatedResource kind, std::string_view id, const std::vector<std::string>& names) = 0;

  // Removes the link between the resource and the annotation named `name`; an unknown name or
  // a missing link is a no-op.
  virtual Result<void> UnlinkAnnotation(AnnotatedResource kind, std::string_view id,
                                        std::string_view name) = 0;

  // IDs of the resources linked to ALL of `annotation_ids` (they may have more), sorted.
  // An empty list gives an empty result.
  virtual Result<std::vector<std::string>> GetResourcesWithAllAnnotations(
      AnnotatedResource kind, const std::vector<std::string>& annotation_ids) = 0;
};

}  // namespace cloud::store
