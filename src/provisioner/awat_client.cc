// The HTTP+JSON AwatClient (wire format of github.com/mattermost/awat model/client.go).
#include "provisioner/awat_client.h"

#include <cctype>
#include <utility>

#include "client/http_transport.h"
#include "model/json_codec.h"

namespace cloud::provisioner {

// Wire codecs (found by ADL from model::EncodeJson / DecodeJson).
template <class V>
void JsonFields(V& v, AwatImportStatus& s) {
  v("ID", s.id);
  v("TranslationID", s.translation_id);
  v("Resource", s.resource);
  v("CreateAt", s.create_at);
  v("StartAt", s.start_at);
  v("CompleteAt", s.complete_at);
  v("LockedBy", s.locked_by);
  v("ImportBy", s.import_by);
  v("Error", s.error);
  v("InstallationID", s.installation_id);
  v("Users", s.users);
  v("Team", s.team);
  v("State", s.state);
  v("Type", s.type);
}

template <class V>
void JsonFields(V& v, AwatImportCompleted& c) {
  v("ID", c.id);
  v("CompleteAt", c.complete_at);
  v("Error", c.error);
}

namespace {

struct AwatImportWorkRequest {
  std::string provisioner_id;
};

template <class V>
void JsonFields(V& v, AwatImportWorkRequest& r) {
  v("ProvisionerID", r.provisioner_id);
}

// Percent-encodes a path segment (IDs are alphanumeric; anything else is escaped).
std::string AwatEscapeSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

class HttpAwatClient final : public AwatClient {
 public:
  HttpAwatClient(std::string address, AwatClientOptions options)
      : address_(std::move(address)),
        transport_(client::NewCurlTransport(
            client::HttpTransportOptions{options.connect_timeout_ms, options.timeout_ms})) {}

  Result<std::optional<AwatImportStatus>> GetTranslationReadyToImport(
      std::string_view provisioner_id) override {
    CLOUD_TRY(client::HttpResponse response,
              Send(client::HttpMethod::kPost, "/import",
                   model::EncodeJson(AwatImportWorkRequest{std::string(provisioner_id)})));
    if (response.status == 404) return std::optional<AwatImportStatus>();
    if (response.status != 200) return StatusError("get a ready import", response.status);
    Result<AwatImportStatus> status = model::DecodeJson<AwatImportStatus>(response.body);
    if (!status) return status.error().WithContext("AWAT returned a bad import status");
    return std::optional<AwatImportStatus>(std::move(*status));
  }

  Result<void> ReleaseLockOnImport(std::string_view import_id) override {
    CLOUD_TRY(client::HttpResponse response,
              Send(client::HttpMethod::kGet, "/import/" + AwatEscapeSegment(import_id) + "/release",
                   std::nullopt));
    if (response.status != 200) return StatusError("release the import lock", response.status);
    return Ok();
  }

  Result<void> CompleteImport(const AwatImportCompleted& completed) override {
    CLOUD_TRY(client::HttpResponse response,
              Send(client::HttpMethod::kPut, "/import", model::EncodeJson(completed)));
    if (response.status != 200) return StatusError("complete the import", response.status);
    return Ok();
  }

  Result<std::vector<AwatImportStatus>> GetImportStatusesByInstallation(
      std::string_view installation_id) override {
    CLOUD_TRY(client::HttpResponse response,
              Send(client::HttpMethod::kGet,
                   "/installation/import/" + AwatEscapeSegment(installation_id), std::nullopt));
    if (response.status == 404) return std::vector<AwatImportStatus>();
    if (response.status != 200) {
      return StatusError("get the imports of an installation", response.status);
    }
    // AWAT encodes an empty list as null.
    Result<std::vector<AwatImportStatus>> list =
        model::DecodeJson<std::vector<AwatImportStatus>>(response.body);
    if (!list) return list.error().WithContext("AWAT returned a bad import status list");
    return std::move(*list);
  }

  const std::string& address() const override { return address_; }

 private:
  Result<client::HttpResponse> Send(client::HttpMethod method, const std::string& path,
                                    std::optional<std::string> body) {
    client::HttpRequest request;
    request.method = method;
    request.url = address_ + path;
    if (body) {
      request.body = std::move(body);
      request.headers.emplace_back("Content-Type", "application/json");
    }
    Result<client::HttpResponse> response = transport_->Do(request);
    if (!response) {
      return Unavailable("AWAT at " + address_ + " is unreachable: " + response.error().message);
    }
    return response;
  }

  Error StatusError(std::string_view what, int status) const {
    return Unavailable("AWAT at " + address_ + ": failed to " + std::string(what) +
                       ": failed with status code " + std::to_string(status));
  }

  std::string address_;
  std::unique_ptr<client::HttpTransport> transport_;
};

}  // namespace

Result<std::string> CheckAwatAddress(std::string address) {
  while (!address.empty() && address.back() == '/') address.pop_back();
  const bool http = address.starts_with("http://") && address.size() > 7;
  const bool https = address.starts_with("https://") && address.size() > 8;
  if (!http && !https) {
    return InvalidArgument("--awat must be an http:// or https:// URL, got \"" + address + "\"");
  }
  return address;
}

Result<std::unique_ptr<AwatClient>> NewHttpAwatClient(std::string address,
                                                      AwatClientOptions options) {
  CLOUD_TRY(std::string checked, CheckAwatAddress(std::move(address)));
  return std::unique_ptr<AwatClient>(std::make_unique<HttpAwatClient>(std::move(checked), options));
}

}  // namespace cloud::provisioner
