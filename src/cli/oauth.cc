#include "cli/oauth.h"

#include <thread>

#include "client/query.h"
#include "model/json_codec.h"

namespace cloud::cli {
namespace {

struct DeviceCodeResponse {
  std::string device_code;
  std::string user_code;
  std::string verification_uri;
  int64_t expires_in = 0;
  int64_t interval = 0;
  std::string message;
  std::string error;
  std::string error_description;
};

template <class V>
void JsonFields(V& v, DeviceCodeResponse& r) {
  v("device_code", r.device_code);
  v("user_code", r.user_code);
  v("verification_uri", r.verification_uri);
  v("expires_in", r.expires_in);
  v("interval", r.interval);
  v("message", r.message);
  v("error", r.error);
  v("error_description", r.error_description);
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string Form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '&';
    out += client::QueryEscape(key) + "=" + client::QueryEscape(value);
  }
  return out;
}

Result<client::HttpResponse> PostForm(const OAuthIo& io, const std::string& url, std::string body) {
  client::HttpRequest request;
  request.method = client::HttpMethod::kPost;
  request.url = url;
  request.body = std::move(body);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  return io.transport->Do(request);
}

template <class T>
Result<T> DecodeOAuth(const client::HttpResponse& response, const std::string& url) {
  Result<T> decoded = model::DecodeJson<T>(response.body);
  if (!decoded) {
    return Unavailable("unexpected answer from " + url + " (HTTP " +
                       std::to_string(response.status) + "): not an OAuth2 JSON response");
  }
  return decoded;
}

Error ProviderError(const std::string& what, const std::string& error,
                    const std::string& description) {
  return Unauthenticated(what + ": " + error + (description.empty() ? "" : ": " + description));
}

int64_t NowSeconds(const OAuthIo& io) {
  return (io.clock != nullptr ? io.clock->NowMillis() : SystemClock::Instance().NowMillis()) / 1000;
}

void Sleep(const OAuthIo& io, int64_t millis) {
  if (io.sleep) {
    io.sleep(millis);
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(millis));
  }
}

}  // namespace

Result<AuthorizationResponse> DeviceLogin(const std::string& org_url, const std::string& client_id,
                                          const OAuthIo& io) {
  const std::string base = TrimSlash(org_url) + "/oauth2/v2.0";
  const std::string device_url = base + "/devicecode";
  CLOUD_TRY(client::HttpResponse answer,
            PostForm(io, device_url, Form({{"client_id", client_id}, {"scope", kOAuthScopes}})));
  CLOUD_TRY(DeviceCodeResponse device, DecodeOAuth<DeviceCodeResponse>(answer, device_url));
  if (!device.error.empty() || device.device_code.empty()) {
    return ProviderError("device login failed",
                         device.error.empty() ? "no device code" : device.error,
                         device.error_description);
  }
  if (io.out != nullptr) {
    if (!device.message.empty()) {
      *io.out << device.message << "\n";
    } else {
      *io.out << "To sign in, open " << device.verification_uri << " and enter the code "
              << device.user_code << "\n";
    }
    io.out->flush();
  }
  const std::string token_url = base + "/token";
  int64_t interval_s = device.interval > 0 ? device.interval : 2;
  const int64_t deadline = NowSeconds(io) + (device.expires_in > 0 ? device.expires_in : 900);
  while (true) {
    Sleep(io, interval_s * 1000);
    CLOUD_TRY(client::HttpResponse polled,
              PostForm(io, token_url,
                       Form({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                             {"client_id", client_id},
                             {"device_code", device.device_code}})));
    CLOUD_TRY(AuthorizationResponse token, DecodeOAuth<AuthorizationResponse>(polled, token_url));
    if (token.error.empty() && !token.access_token.empty()) {
      token.expires_at = NowSeconds(io) + token.expires_in;
      return token;
    }
    if (token.error == "slow_down") {
      interval_s += 5;
    } else if (token.error != "authorization_pending") {
      return ProviderError("device login failed",
                           token.error.empty() ? "no access token" : token.error,
                           token.error_description);
    }
    if (NowSeconds(io) >= deadline) {
      return Unavailable("device login timed out: the code was not entered in time");
    }
  }
}

Result<AuthorizationResponse> RefreshToken(const std::string& org_url, const std::string& client_id,
                                           const AuthorizationResponse& current,
                                           const OAuthIo& io) {
  if (current.refresh_token.empty()) {
    return FailedPrecondition(
        "the access token expired and there is no refresh token: run "
        "`cloud login`");
  }
  const std::string token_url = TrimSlash(org_url) + "/oauth2/v2.0/token";
  CLOUD_TRY(client::HttpResponse answer, PostForm(io, token_url,
                                                  Form({{"grant_type", "refresh_token"},
                                                        {"client_id", client_id},
                                                        {"refresh_token", current.refresh_token},
                                                        {"scope", kOAuthScopes}})));
  CLOUD_TRY(AuthorizationResponse token, DecodeOAuth<AuthorizationResponse>(answer, token_url));
  if (!token.error.empty() || token.access_token.empty()) {
    return ProviderError("token refresh failed (run `cloud login`)",
                         token.error.empty() ? "no access token" : token.error,
                         token.error_description);
  }
  if (token.refresh_token.empty()) token.refresh_token = current.refresh_token;
  token.expires_at = NowSeconds(io) + token.expires_in;
  return token;
}

bool TokenNeedsRefresh(const AuthorizationResponse& auth, int64_t now_seconds) {
  return auth.access_token.empty() || auth.expires_at <= now_seconds + 60;
}

}  // namespace cloud::cli
