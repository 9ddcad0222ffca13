// libFuzzer target over what the API decodes from untrusted input (scripts/run-fuzz builds it
// with clang++-14 -fsanitize=fuzzer,address,undefined into build/fuzz/ and runs it from
// `make test`). The first input byte picks a target, the rest is its input:
//   * the router: method + path (+ query) matched against upstream-shaped route patterns,
//     percent decoding and query parsing, as the server does for every request;
//   * the request bodies: DecodeJson of each request type (Go encoding/json rules), then
//     SetDefaults / Validate as the handlers call them, and an encode → decode round trip.
// Anything the sanitizers or an escaping exception flag is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "api/router.h"
#include "model/annotation.h"
#include "model/backup.h"
#include "model/cluster_installation.h"
#include "model/cluster_requests.h"
#include "model/db_migration.h"
#include "model/db_restoration.h"
#include "model/group.h"
#include "model/installation_requests.h"
#include "model/json_codec.h"
#include "model/multitenant_database.h"
#include "model/subscription.h"
#include "model/webhook.h"

namespace {

using namespace cloud;

const api::Router& TestRouter() {
  static const api::Router* router = [] {
    auto* r = new api::Router();
    auto ok = [](const api::HttpRequest& req) {
      api::HttpResponse resp;
      resp.body = std::string(req.PathVar("cluster")) + std::string(req.PathVar("installation")) +
                  std::string(req.PathVar("name"));
      return resp;
    };
    const char* kPatterns[][2] = {
        {"GET", "/api/clusters"},
        {"POST", "/api/clusters"},
        {"GET", "/api/cluster/{cluster:id}"},
        {"PUT", "/api/cluster/{cluster:id}"},
        {"DELETE", "/api/cluster/{cluster:id}"},
        {"POST", "/api/cluster/{cluster:id}/annotations"},
        {"DELETE", "/api/cluster/{cluster:id}/annotation/{annotation-name}"},
        {"GET", "/api/installations"},
        {"GET", "/api/installations/count"},
        {"GET", "/api/installation/{installation:[A-Za-z0-9]{26}}"},
        {"POST", "/api/installation/{installation:id}/deletion/cancel"},
        {"GET", "/api/installations/backups"},
        {"GET", "/api/installations/backup/{backup:id}"},
        {"GET", "/api/cluster_installation/{cluster_installation:id}/config"},
        {"POST", "/api/cluster_installation/{cluster_installation:id}/exec/{command}"},
        {"GET", "/api/group/{group:id}"},
        {"GET", "/api/databases/multitenant_database/{multitenant_database}"},
        {"GET", "/api/subscription/{name}"},
        {"GET", "/healthz"},
    };
    for (const auto& p : kPatterns) r->Handle(p[0], p[1], ok);
    return r;
  }();
  return *router;
}

void FuzzRouter(std::string_view data) {
  // "METHOD path[?query]" (first space separates the method).
  const size_t space = data.find(' ');
  api::HttpRequest request;
  request.method = std::string(data.substr(0, space == std::string_view::npos ? 0 : space));
  std::string_view target = space == std::string_view::npos ? data : data.substr(space + 1);
  const size_t q = target.find('?');
  request.raw_path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) request.raw_query = std::string(target.substr(q + 1));
  Result<std::string> path = api::PercentDecode(request.raw_path, /*plus_as_space=*/false);
  if (!path) return;  // the server answers 400 before routing
  request.path = *path;
  request.query = api::ParseQueryString(request.raw_query);
  (void)request.QueryValue("page");
  api::HttpResponse response = TestRouter().Dispatch(request);
  if (response.status < 100 || response.status > 599) std::abort();
  (void)api::PercentDecode(data, /*plus_as_space=*/true);
}

template <class T>
T* DecodeRoundTrip(std::string_view body) {
  static T value;
  Result<T> decoded = model::DecodeJson<T>(body);
  if (!decoded) return nullptr;
  value = std::move(*decoded);
  const std::string encoded = model::EncodeJson(value);
  Result<T> again = model::DecodeJson<T>(encoded);
  if (!again) std::abort();  // what we encode must decode
  return &value;
}

template <class T>
void DecodeValidate(std::string_view body) {
  if (T* v = DecodeRoundTrip<T>(body)) (void)v->Validate();
}

void FuzzBody(uint8_t which, std::string_view body) {
  switch (which % 16) {
    case 0:
      if (auto* r = DecodeRoundTrip<model::CreateClusterRequest>(body)) {
        r->SetDefaults(model::UtilityDefaultsOptions{"https://git.example.com"});
        (void)r->Validate();
      }
      break;
    case 1:
      (void)DecodeRoundTrip<model::UpdateClusterRequest>(body);
      break;
    case 2:
      DecodeValidate<model::PatchUpgradeClusterRequest>(body);
      break;
    case 3:
      DecodeValidate<model::PatchClusterSizeRequest>(body);
      break;
    case 4:
      DecodeValidate<model::ProvisionClusterRequest>(body);
      break;
    case 5:
      if (auto* r = DecodeRoundTrip<model::CreateNodegroupsRequest>(body)) {
        r->SetDefaults();
        (void)r->Validate();
      }
      break;
    case 6:
      if (auto* r = DecodeRoundTrip<model::CreateInstallationRequest>(body)) {
        r->SetDefaults();
        (void)r->Validate(
            model::InstallationValidationOptions{true, true, false, 1'700'000'000'000});
      }
      break;
    case 7:
      (void)DecodeRoundTrip<model::PatchInstallationRequest>(body);
      break;
    case 8:
      DecodeValidate<model::CreateGroupRequest>(body);
      break;
    case 9:
      DecodeValidate<model::PatchGroupRequest>(body);
      break;
    case 10:
      (void)DecodeRoundTrip<model::CreateWebhookRequest>(body);
      break;
    case 11:
      (void)DecodeRoundTrip<model::CreateSubscriptionRequest>(body);
      break;
    case 12:
      (void)DecodeRoundTrip<model::AddAnnotationsRequest>(body);
      break;
    case 13:
      (void)DecodeRoundTrip<model::InstallationDBMigrationRequest>(body);
      break;
    case 14:
      DecodeValidate<model::ImportClusterRequest>(body);
      break;
    default:
      (void)DecodeRoundTrip<model::InstallationBackupRequest>(body);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] < 32) {
    FuzzRouter(rest);
  } else {
    FuzzBody(data[0], rest);
  }
  return 0;
}
