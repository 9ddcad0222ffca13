// libcurl implementation of HttpTransport.
#include "client/http_transport.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

namespace cloud::client {
namespace {

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HttpHeaders*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100-continue): keep only the final headers
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers->emplace_back(std::string(Trim(line.substr(0, colon))),
                          std::string(Trim(line.substr(colon + 1))));
  }
  return size * count;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(HttpTransportOptions options) : options_(options) {
    GlobalInitOnce();
    handle_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Do(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    if (handle_ == nullptr) return Internal("failed to initialise libcurl");
    // Reset options but keep the connection cache, so the next request reuses the socket.
    curl_easy_reset(handle_);

    HttpResponse response;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(handle_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_TCP_NODELAY, 1L);  // Nagle cost 44 ms per small POST
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &response.headers);

    switch (request.method) {
      case HttpMethod::kGet:
        curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
        break;
      case HttpMethod::kPost:
        curl_easy_setopt(handle_, CURLOPT_POST, 1L);
        break;
      case HttpMethod::kPut:
      case HttpMethod::kDelete:
        curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST,
                         std::string(HttpMethodName(request.method)).c_str());
        break;
    }
    const bool send_body = request.body.has_value() || request.method == HttpMethod::kPost;
    if (send_body) {
      const std::string& body = request.body ? *request.body : empty_;
      curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }

    curl_slist* header_list = nullptr;
    bool has_content_type = false;
    for (const auto& [name, value] : request.headers) {
      if (EqualFold(name, "Content-Type")) has_content_type = true;
      header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
    if (send_body && !has_content_type) {
      // curl would add application/x-www-form-urlencoded; Go sends no Content-Type.
      header_list = curl_slist_append(header_list, "Content-Type:");
    }
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, header_list);

    const CURLcode code = curl_easy_perform(handle_);
    curl_slist_free_all(header_list);
    if (code != CURLE_OK) {
      std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return Unavailable("failed to reach server at " + request.url + ": " + reason);
    }
    long status = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  HttpTransportOptions options_;
  std::mutex mu_;
  CURL* handle_ = nullptr;
  const std::string empty_;
};

}  // namespace

std::string_view HttpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualFold(key, name)) return value;
  }
  return std::nullopt;
}

std::unique_ptr<HttpTransport> NewCurlTransport(HttpTransportOptions options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace cloud::client
