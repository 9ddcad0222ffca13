// AwatClient: the import work queue of AWAT, the Automatic Workspace Archive Translator
// (github.com/mattermost/awat, model/client.go), as the import supervisor uses it
// (upstream-core.md §1.10). NewHttpAwatClient speaks AWAT's wire format over HTTP+JSON:
//
//   GetTranslationReadyToImport      POST /import {"ProvisionerID"}  200 ImportStatus, 404 none
//   ReleaseLockOnImport              GET  /import/<id>/release       200
//   CompleteImport                   PUT  /import {"ID","CompleteAt","Error"}  200
//   GetImportStatusesByInstallation  GET  /installation/import/<id>  200 [ImportStatus], 404 none
//
// Any other status is an error, as in AWAT's Go client. libcurl stays in the client layer's
// transport; JSON in awat_client.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cloud::provisioner {

// AWAT import states (awat model/import.go).
inline constexpr std::string_view kAwatImportStateRequested = "import-requested";
inline constexpr std::string_view kAwatImportStateInProgress = "import-in-progress";
inline constexpr std::string_view kAwatImportStateComplete = "import-complete";
inline constexpr std::string_view kAwatImportStateSucceeded = "import-succeeded";
inline constexpr std::string_view kAwatImportStateFailed = "import-failed";
// AWAT backup types (awat model/translation_request.go): what the archive was made from.
inline constexpr std::string_view kAwatBackupTypeSlack = "slack";
inline constexpr std::string_view kAwatBackupTypeMattermost = "mattermost";

// awat model.ImportStatus: an Import (ID ... Error) with its translation's installation, user
// count, team and archive type. JSON keys are the Go field names. `state` is the outer State
// (it shadows the embedded Import's State in Go's encoding).
struct AwatImportStatus {
  std::string id;
  std::string translation_id;
  std::string resource;  // "<bucket>/<key>" of the translated archive
  int64_t create_at = 0;
  int64_t start_at = 0;
  int64_t complete_at = 0;
  std::string locked_by;
  std::string import_by;
  std::string error;
  std::string installation_id;
  int64_t users = 0;
  std::string team;
  std::string state;
  std::string type;  // kAwatBackupType*
  friend bool operator==(const AwatImportStatus&, const AwatImportStatus&) = default;
};

// awat model.ImportCompletedWorkRequest.
struct AwatImportCompleted {
  std::string id;
  int64_t complete_at = 0;
  std::string error;  // empty: success
};

// Thread-safe. Errors: kUnavailable when AWAT cannot be reached (no HTTP response) or answers
// an unexpected status ("AWAT at <url>: ... failed with status code N"); kInvalidArgument when
// a 200 body is not the expected JSON.
class AwatClient {
 public:
  virtual ~AwatClient() = default;

  // Claims the oldest import ready to run for `provisioner_id`; nullopt when there is none.
  virtual Result<std::optional<AwatImportStatus>> GetTranslationReadyToImport(
      std::string_view provisioner_id) = 0;
  // Clears the import's ImportBy claim.
  virtual Result<void> ReleaseLockOnImport(std::string_view import_id) = 0;
  // Reports the import finished, with or without an error.
  virtual Result<void> CompleteImport(const AwatImportCompleted& completed) = 0;
  // The imports of an installation, most recently completed first (empty when none).
  virtual Result<std::vector<AwatImportStatus>> GetImportStatusesByInstallation(
      std::string_view installation_id) = 0;
  // The base URL (logs).
  virtual const std::string& address() const = 0;
};

struct AwatClientOptions {
  int64_t connect_timeout_ms = 5'000;
  int64_t timeout_ms = 30'000;
};

// `address` without its trailing slashes, or kInvalidArgument (naming --awat) when it is not an
// http(s) URL. The server checks the flag with it before starting anything.
Result<std::string> CheckAwatAddress(std::string address);

// `address` is AWAT's base URL (server flag --awat, e.g. http://localhost:8077); a trailing
// slash is ignored. Errors: kInvalidArgument when it is not an http(s) URL.
Result<std::unique_ptr<AwatClient>> NewHttpAwatClient(std::string address,
                                                      AwatClientOptions options = {});

}  // namespace cloud::provisioner
