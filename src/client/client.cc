// Client: generic request pieces and the methods of §6.2 that need no wire types.
#include "client/client.h"

#include <algorithm>
#include <charconv>

namespace cloud::client {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendHex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// upstream model.InstallationsCount, the body of GET /api/installations/count.
struct InstallationsCountWire {
  int64_t count = 0;
};
template <class V>
void JsonFields(V& v, InstallationsCountWire& c) {
  v("Count", c.count);
}

constexpr std::string_view kStatusPrefix = "failed with status code ";

ErrorCode CodeForStatus(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    case 503:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

// A human message from an error body, or "" (upstream sends none; our server may).
std::string MessageFromBody(std::string_view body) {
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  body.remove_prefix(start);
  if (body.front() == '{') {
    Result<model::Json> parsed = model::ParseJson(body);
    if (parsed && parsed->is_object()) {
      for (const char* key : {"Error", "error", "Message", "message"}) {
        auto it = parsed->find(key);
        if (it != parsed->end() && it->is_string()) return it->get<std::string>();
      }
    }
    return "";
  }
  std::string_view line = body.substr(0, body.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  constexpr size_t kMaxLength = 300;
  if (line.size() > kMaxLength) line = line.substr(0, kMaxLength);
  for (unsigned char c : line) {
    if (c < 0x20 && c != '\t') return "";  // binary: not a message
  }
  return std::string(line);
}

}  // namespace

std::string QueryEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      AppendHex(out, c);
    }
  }
  return out;
}

std::string PathEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    // Go's shouldEscape(c, encodePathSegment): keeps $&+,;=:@ besides unreserved bytes.
    if (IsUnreserved(c) || c == '$' || c == '&' || c == '+' || c == ',' || c == ';' || c == '=' ||
        c == ':' || c == '@') {
      out += static_cast<char>(c);
    } else {
      AppendHex(out, c);
    }
  }
  return out;
}

Query& Query::Add(std::string key, std::string value) {
  params_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Query& Query::AddPaging(int64_t page, int64_t per_page, bool include_deleted) {
  Add("page", page);
  Add("per_page", per_page);
  if (include_deleted) Add("include_deleted", true);
  return *this;
}

std::string Query::Encode() const {
  std::vector<std::pair<std::string, std::string>> sorted = params_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [key, value] : sorted) {
    if (!out.empty()) out += '&';
    out += QueryEscape(key);
    out += '=';
    out += QueryEscape(value);
  }
  return out;
}

std::optional<int> HttpStatusOf(const Error& error) {
  std::string_view message = error.message;
  if (!message.starts_with(kStatusPrefix)) return std::nullopt;
  message.remove_prefix(kStatusPrefix.size());
  int status = 0;
  auto [ptr, ec] = std::from_chars(message.data(), message.data() + message.size(), status);
  if (ec != std::errc() || ptr == message.data()) return std::nullopt;
  return status;
}

Error StatusError(const HttpResponse& response) {
  std::string message = std::string(kStatusPrefix) + std::to_string(response.status);
  std::string detail = MessageFromBody(response.body);
  if (!detail.empty()) message += ": " + detail;
  return Error{CodeForStatus(response.status), std::move(message)};
}

Client::Client(std::string address, HttpHeaders headers, HttpTransportOptions options)
    : Client(std::move(address), std::move(headers), NewCurlTransport(options)) {}

Client::Client(std::string address, HttpHeaders headers, std::unique_ptr<HttpTransport> transport)
    : address_(std::move(address)), headers_(std::move(headers)), transport_(std::move(transport)) {
  while (!address_.empty() && address_.back() == '/') address_.pop_back();
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

std::string Client::Url(std::string_view path, const Query& query) const {
  std::string url = address_;
  url += path;
  if (!query.empty()) {
    url += '?';
    url += query.Encode();
  }
  return url;
}

Result<HttpResponse> Client::Send(HttpMethod method, std::string_view path, const Query& query,
                                  std::optional<std::string> body) {
  HttpRequest request;
  request.method = method;
  request.url = Url(path, query);
  request.headers = headers_;
  if (body.has_value()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  return transport_->Do(request);
}

Result<HttpResponse> Client::Expect(HttpMethod method, std::string_view path, const Query& query,
                                    std::optional<std::string> body,
                                    std::initializer_list<int> statuses) {
  CLOUD_TRY(HttpResponse response, Send(method, path, query, std::move(body)));
  if (std::find(statuses.begin(), statuses.end(), response.status) == statuses.end()) {
    return StatusError(response);
  }
  return response;
}

Result<void> Client::DoNoContent(HttpMethod method, std::string_view path, const Query& query,
                                 std::optional<std::string> body, int expected_status) {
  CLOUD_TRY_VOID(Expect(method, path, query, std::move(body), {expected_status}));
  return Ok();
}

Result<model::Json> Client::GetRaw(std::string_view path, const Query& query) {
  return DoJson<model::Json>(HttpMethod::kGet, path, query, std::nullopt, 200);
}

// ---- clusters ---------------------------------------------------------------------------------

Result<void> Client::RetryCreateCluster(const std::string& cluster_id) {
  return DoNoContent(HttpMethod::kPost, "/api/cluster/" + Seg(cluster_id), {}, NullBody(), 202);
}

Result<void> Client::DeleteCluster(const std::string& cluster_id) {
  return DoNoContent(HttpMethod::kDelete, "/api/cluster/" + Seg(cluster_id), {}, std::nullopt, 202);
}

Result<void> Client::DeleteClusterAnnotation(const std::string& cluster_id,
                                             const std::string& annotation_name) {
  return DoNoContent(HttpMethod::kDelete,
                     "/api/cluster/" + Seg(cluster_id) + "/annotation/" + Seg(annotation_name), {},
                     std::nullopt, 204);
}

// ---- installations ----------------------------------------------------------------------------

Result<void> Client::RetryCreateInstallation(const std::string& installation_id) {
  return DoNoContent(HttpMethod::kPost, "/api/installation/" + Seg(installation_id), {}, NullBody(),
                     202);
}

Result<int64_t> Client::GetInstallationsCount(bool include_deleted) {
  Query query;
  if (include_deleted) query.Add("include_deleted", true);
  CLOUD_TRY(HttpResponse response,
            Expect(HttpMethod::kGet, "/api/installations/count", query, std::nullopt, {200}));
  CLOUD_TRY(InstallationsCountWire count, DecodeBody<InstallationsCountWire>(response));
  return count.count;
}

Result<void> Client::DeleteInstallation(const std::string& installation_id) {
  return DoNoContent(HttpMethod::kDelete, "/api/installation/" + Seg(installation_id), {},
                     std::nullopt, 202);
}

Result<void> Client::CancelInstallationDeletion(const std::string& installation_id) {
  return DoNoContent(HttpMethod::kPost,
                     "/api/installation/" + Seg(installation_id) + "/deletion/cancel", {},
                     NullBody(), 202);
}

Result<void> Client::DeleteInstallationAnnotation(const std::string& installation_id,
                                                  const std::string& annotation_name) {
  return DoNoContent(
      HttpMethod::kDelete,
      "/api/installation/" + Seg(installation_id) + "/annotation/" + Seg(annotation_name), {},
      std::nullopt, 204);
}

// ---- backups ----------------------------------------------------------------------------------

Result<void> Client::DeleteInstallationBackup(const std::string& backup_id) {
  return DoNoContent(HttpMethod::kDelete, "/api/installations/backup/" + Seg(backup_id), {},
                     std::nullopt, 202);
}

// ---- cluster installations --------------------------------------------------------------------

Result<std::optional<model::Json>> Client::GetClusterInstallationConfig(
    const std::string& cluster_installation_id) {
  return GetOptional<model::Json>("/api/cluster_installation/" + Seg(cluster_installation_id) +
                                  "/config");
}

Result<void> Client::SetClusterInstallationConfig(const std::string& cluster_installation_id,
                                                  const model::Json& config) {
  return DoNoContent(HttpMethod::kPut,
                     "/api/cluster_installation/" + Seg(cluster_installation_id) + "/config", {},
                     model::DumpGoJson(config), 200);
}

Result<ExecOutput> Client::ExecClusterInstallationCLI(const std::string& cluster_installation_id,
                                                      const std::string& command,
                                                      const std::vector<std::string>& subcommand) {
  CLOUD_TRY(HttpResponse response, Send(HttpMethod::kPost,
                                        "/api/cluster_installation/" +
                                            Seg(cluster_installation_id) + "/exec/" + Seg(command),
                                        {}, Body(subcommand)));
  ExecOutput out;
  if (response.status != 200) out.error = StatusError(HttpResponse{response.status, "", {}});
  out.output = std::move(response.body);
  return out;
}

Result<ExecOutput> Client::RunMattermostCLICommandOnClusterInstallation(
    const std::string& cluster_installation_id, const std::vector<std::string>& subcommand) {
  return ExecClusterInstallationCLI(cluster_installation_id, "mattermost", subcommand);
}

Result<ExecOutput> Client::ExecClusterInstallationPPROF(
    const std::string& cluster_installation_id) {
  CLOUD_TRY(HttpResponse response,
            Send(HttpMethod::kGet,
                 "/api/cluster_installation/" + Seg(cluster_installation_id) + "/pprof"));
  ExecOutput out;
  if (response.status != 200) out.error = StatusError(HttpResponse{response.status, "", {}});
  out.output = std::move(response.body);
  return out;
}

// ---- groups -----------------------------------------------------------------------------------

Result<void> Client::DeleteGroup(const std::string& group_id) {
  return DoNoContent(HttpMethod::kDelete, "/api/group/" + Seg(group_id), {}, std::nullopt, 200);
}

Result<void> Client::JoinGroup(const std::string& group_id, const std::string& installation_id) {
  return DoNoContent(HttpMethod::kPut,
                     "/api/installation/" + Seg(installation_id) + "/group/" + Seg(group_id), {},
                     NullBody(), 200);
}

Result<void> Client::DeleteGroupAnnotation(const std::string& group_id,
                                           const std::string& annotation_name) {
  return DoNoContent(HttpMethod::kDelete,
                     "/api/group/" + Seg(group_id) + "/annotation/" + Seg(annotation_name), {},
                     std::nullopt, 204);
}

// ---- databases --------------------------------------------------------------------------------

Result<void> Client::DeleteMultitenantDatabase(const std::string& multitenant_database_id,
                                               bool force) {
  Query query;
  query.Add("force", force);
  return DoNoContent(HttpMethod::kDelete,
                     "/api/databases/multitenant_database/" + Seg(multitenant_database_id), query,
                     std::nullopt, 204);
}

Result<void> Client::DeleteLogicalDatabase(const std::string& logical_database_id) {
  return DoNoContent(HttpMethod::kDelete,
                     "/api/databases/logical_database/" + Seg(logical_database_id), {},
                     std::nullopt, 204);
}

// ---- webhooks and subscriptions ---------------------------------------------------------------

Result<void> Client::DeleteWebhook(const std::string& webhook_id) {
  return DoNoContent(HttpMethod::kDelete, "/api/webhook/" + Seg(webhook_id), {}, std::nullopt, 200);
}

Result<void> Client::DeleteSubscription(const std::string& subscription_id) {
  return DoNoContent(HttpMethod::kDelete, "/api/subscription/" + Seg(subscription_id), {},
                     std::nullopt, 200);
}

// ---- security ---------------------------------------------------------------------------------

Result<void> Client::MakeSecurityCall(std::string_view resource_type, const std::string& id,
                                      std::string_view security_type, std::string_view action) {
  std::string path = "/api/security/";
  path += resource_type;
  path += '/';
  path += Seg(id);
  path += '/';
  path += security_type;
  path += '/';
  path += action;
  return DoNoContent(HttpMethod::kPost, path, {}, NullBody(), 200);
}

Result<void> Client::LockAPIForCluster(const std::string& id) {
  return MakeSecurityCall("cluster", id, "api", "lock");
}
Result<void> Client::UnlockAPIForCluster(const std::string& id) {
  return MakeSecurityCall("cluster", id, "api", "unlock");
}
Result<void> Client::LockAPIForInstallation(const std::string& id) {
  return MakeSecurityCall("installation", id, "api", "lock");
}
Result<void> Client::UnlockAPIForInstallation(const std::string& id) {
  return MakeSecurityCall("installation", id, "api", "unlock");
}
Result<void> Client::LockDeletionLockForInstallation(const std::string& id) {
  return MakeSecurityCall("installation", id, "deletion", "lock");
}
Result<void> Client::UnlockDeletionLockForInstallation(const std::string& id) {
  return MakeSecurityCall("installation", id, "deletion", "unlock");
}
Result<void> Client::LockAPIForClusterInstallation(const std::string& id) {
  return MakeSecurityCall("cluster_installation", id, "api", "lock");
}
Result<void> Client::UnlockAPIForClusterInstallation(const std::string& id) {
  return MakeSecurityCall("cluster_installation", id, "api", "unlock");
}
Result<void> Client::LockAPIForGroup(const std::string& id) {
  return MakeSecurityCall("group", id, "api", "lock");
}
Result<void> Client::UnlockAPIForGroup(const std::string& id) {
  return MakeSecurityCall("group", id, "api", "unlock");
}
Result<void> Client::LockAPIForBackup(const std::string& id) {
  return MakeSecurityCall("installation/backup", id, "api", "lock");
}
Result<void> Client::UnlockAPIForBackup(const std::string& id) {
  return MakeSecurityCall("installation/backup", id, "api", "unlock");
}

}  // namespace cloud::client
