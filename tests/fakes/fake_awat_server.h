// FakeAwatServer: AWAT's import queue over loopback HTTP, speaking AWAT's wire format (routes,
// methods, JSON keys and status codes of github.com/mattermost/awat internal/api/import.go and
// model/import.go), for the import supervisor's db and e2e tests.
#pragma once

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "e2e/client/loopback_http_server.h"

namespace cloud::testing {

inline CannedResponse AwatReply(int status, std::string body) {
  return CannedResponse{status, std::move(body), {}};
}

// AWAT's import queue as its API serves it (state kept as AWAT's store does).
class FakeAwatServer {
 public:
  struct Import {
    std::string id, translation_id, resource, installation_id, team, type, state, import_by, error;
    int64_t create_at = 0, start_at = 0, complete_at = 0, users = 0;
  };
  struct Completion {
    std::string id, error;
    int64_t complete_at = 0;
  };

  FakeAwatServer() : server_([this](const RecordedRequest& r) { return Handle(r); }) {}

  std::string url() const { return server_.url(); }
  std::vector<RecordedRequest> requests() const { return server_.requests(); }

  // A translated archive ready to import (AWAT state import-in-progress, not started).
  std::string AddReadyImport(const std::string& installation_id, int64_t users,
                             const std::string& team, const std::string& type) {
    std::lock_guard lock(mu_);
    Import i;
    ++next_;
    i.id = "imp" + std::to_string(next_) + "x";
    i.translation_id = "tr" + i.id.substr(2);
    i.resource = "awat-bucket/" + i.translation_id + ".zip";
    i.installation_id = installation_id;
    i.users = users;
    i.team = team;
    i.type = type;
    i.state = "import-in-progress";
    i.create_at = next_;
    imports_.push_back(i);
    return i.id;
  }
  // What AWAT's own supervisor does once the installation reports import-complete.
  void AwatSeesInstallationImportComplete(const std::string& import_id) {
    std::lock_guard lock(mu_);
    for (Import& i : imports_) {
      if (i.id != import_id) continue;
      if (i.complete_at == 0) i.complete_at = 1'800'000'000'000 + next_;
      i.state = "import-complete";
    }
  }
  void SetDown(bool down) { down_ = down; }
  // The next `n` CompleteImport requests fail with 503.
  void FailCompletions(int n) { fail_puts_ = n; }
  std::optional<Import> Get(const std::string& id) const {
    std::lock_guard lock(mu_);
    for (const Import& i : imports_) {
      if (i.id == id) return i;
    }
    return std::nullopt;
  }
  std::vector<Completion> completions() const {
    std::lock_guard lock(mu_);
    return completions_;
  }
  int Count(const std::string& method, const std::string& path_prefix) const {
    int n = 0;
    for (const RecordedRequest& r : requests()) {
      if (r.method == method && r.Path().starts_with(path_prefix)) ++n;
    }
    return n;
  }

 private:
  static nlohmann::ordered_json StatusJson(const Import& i) {
    // awat model.ImportStatus: the embedded Import's fields, then InstallationID, Users, Team,
    // State (shadowing Import.State) and Type.
    return {{"ID", i.id},
            {"TranslationID", i.translation_id},
            {"Resource", i.resource},
            {"CreateAt", i.create_at},
            {"StartAt", i.start_at},
            {"CompleteAt", i.complete_at},
            {"LockedBy", ""},
            {"ImportBy", i.import_by},
            {"Error", i.error},
            {"InstallationID", i.installation_id},
            {"Users", i.users},
            {"Team", i.team},
            {"State", i.state},
            {"Type", i.type}};
  }

  CannedResponse Handle(const RecordedRequest& r) {
    if (down_) return AwatReply(503, "");
    std::lock_guard lock(mu_);
    const std::string path = r.Path();
    if (r.method == "POST" && path == "/import") {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (body.is_discarded() || !body.contains("ProvisionerID")) return AwatReply(400, "");
      for (Import& i : imports_) {  // oldest first
        if (i.start_at == 0 && i.complete_at == 0 && i.import_by.empty() &&
            i.state == "import-in-progress") {
          i.import_by = body["ProvisionerID"].get<std::string>();
          i.start_at = 1'700'000'000'000 + next_;
          return {200, StatusJson(i).dump(), {{"Content-Type", "application/json"}}};
        }
      }
      return AwatReply(404, "");
    }
    if (r.method == "PUT" && path == "/import") {
      if (fail_puts_ > 0) {
        --fail_puts_;
        return AwatReply(503, "");
      }
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (body.is_discarded()) return AwatReply(400, "");
      Completion c{body.value("ID", ""), body.value("Error", ""), body.value("CompleteAt", 0)};
      for (Import& i : imports_) {
        if (i.id != c.id) continue;
        i.complete_at = c.complete_at;
        i.import_by.clear();
        i.error = c.error;
        completions_.push_back(c);
        return AwatReply(200, "");
      }
      return AwatReply(404, "");
    }
    if (r.method == "GET" && path.starts_with("/import/") && path.ends_with("/release")) {
      const std::string id = path.substr(8, path.size() - 8 - 8);
      for (Import& i : imports_) {
        if (i.id == id) {
          i.import_by.clear();
          return AwatReply(200, "");
        }
      }
      return AwatReply(500, "");
    }
    if (r.method == "GET" && path.starts_with("/installation/import/")) {
      const std::string installation = path.substr(21);
      std::vector<Import> matching;
      for (const Import& i : imports_) {
        if (i.installation_id == installation) matching.push_back(i);
      }
      std::stable_sort(matching.begin(), matching.end(), [](const Import& a, const Import& b) {
        return a.complete_at > b.complete_at;
      });
      if (matching.empty()) return AwatReply(200, "null");  // a nil Go slice
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const Import& i : matching) list.push_back(StatusJson(i));
      return {200, list.dump(), {{"Content-Type", "application/json"}}};
    }
    return AwatReply(404, "404 page not found");
  }

  mutable std::mutex mu_;
  std::vector<Import> imports_;
  std::vector<Completion> completions_;
  std::atomic<bool> down_{false};
  int fail_puts_ = 0;
  int next_ = 0;
  LoopbackHttpServer server_;  // last: stops before the state it serves goes away
};

}  // namespace cloud::testing
