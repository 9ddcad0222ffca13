#include "model/backup.h"

#include <vector>

namespace cloud::model {

std::string_view ToString(BackupState state) {
  switch (state) {
    case BackupState::kBackupRequested:
      return "backup-requested";
    case BackupState::kBackupInProgress:
      return "backup-in-progress";
    case BackupState::kBackupSucceeded:
      return "backup-succeeded";
    case BackupState::kBackupFailed:
      return "backup-failed";
    case BackupState::kDeletionRequested:
      return "deletion-requested";
    case BackupState::kDeleted:
      return "deleted";
    case BackupState::kDeletionFailed:
      return "deletion-failed";
  }
  return "";
}

bool ParseEnum(std::string_view text, BackupState& out) {
  for (BackupState state : kAllBackupStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

bool IsValidBackupTransition(BackupState from, BackupState to) {
  if (to != BackupState::kDeletionRequested) return false;
  return from != BackupState::kDeleted;
}

std::string S3DataResidence::FullPath() const {
  // filepath.Join ignores empty elements, joins with '/' and applies filepath.Clean.
  std::string joined;
  for (const std::string* part : {&path_prefix, &object_key}) {
    if (part->empty()) continue;
    if (!joined.empty()) joined += '/';
    joined += *part;
  }
  if (joined.empty()) return "";

  const bool rooted = joined.front() == '/';
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    std::string segment = joined.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back("..");
      }
      continue;
    }
    parts.push_back(std::move(segment));
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

Result<void> EnsureBackupRestoreCompatible(const BackupInstallationView& installation) {
  std::string errors;
  auto add = [&errors](const std::string& message) {
    if (!errors.empty()) errors += "; ";
    errors += message;
  };
  if (installation.database != "aws-multitenant-rds-postgres" &&
      installation.database != "aws-rds-postgres") {
    add("invalid installation database, backup-restore is supported only for Postgres database, "
        "the database type is \"" +
        std::string(installation.database) + "\"");
  }
  if (installation.filestore == "minio-operator") {
    add("invalid installation file store, backup-restore is not supported for installation using "
        "local Minio file store");
  }
  if (!errors.empty()) {
    return FailedPrecondition("some installation settings are incompatible with backup-restore: " +
                              errors);
  }
  return Ok();
}

Result<void> EnsureInstallationReadyForBackup(const BackupInstallationView& installation) {
  if (installation.state != "hibernating" && installation.state != "db-migration-in-progress") {
    return FailedPrecondition(
        "invalid installation state, only hibernated or migrating installations can be backed "
        "up, state is \"" +
        std::string(installation.state) + "\"");
  }
  return EnsureBackupRestoreCompatible(installation);
}

}  // namespace cloud::model
