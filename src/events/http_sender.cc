#include "events/http_sender.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <mutex>

namespace cloud::events {
namespace {

struct Context {
  const TargetPolicy* policy;
  const std::atomic<bool>* stop;
  std::string refused;
};

size_t Discard(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

// Runs before each connection's socket is created, with the resolved address: a refused
// address is never connected to.
curl_socket_t OpenSocket(void* data, curlsocktype, curl_sockaddr* address) {
  auto* ctx = static_cast<Context*>(data);
  char ip[INET6_ADDRSTRLEN] = {0};
  if (address->family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr, ip,
              sizeof(ip));
  } else if (address->family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr, ip,
              sizeof(ip));
  }
  if (!AddressAllowed(ip, *ctx->policy)) {
    ctx->refused = std::string("target address ") + (ip[0] != '\0' ? ip : "(unknown)") +
                   " is private or loopback and not allowed (see --webhook-deny-private-ranges)";
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

int Progress(void* data, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ctx = static_cast<Context*>(data);
  return ctx->stop != nullptr && ctx->stop->load() ? 1 : 0;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool V4Private(uint32_t a, bool& loopback) {
  loopback = (a >> 24) == 127;
  return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
         (a >> 16) == (169u << 8 | 254) || (a >> 22) == (100u << 2 | 1) || (a >> 24) == 0;
}

}  // namespace

bool IsHttpUrl(const std::string& url) {
  std::string lower;
  for (char c : url.substr(0, 8))
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t rest = 0;
  if (lower.rfind("http://", 0) == 0) {
    rest = 7;
  } else if (lower.rfind("https://", 0) == 0) {
    rest = 8;
  } else {
    return false;
  }
  return url.size() > rest && url[rest] != '/' && url[rest] != '?' && url[rest] != '#';
}

bool AddressAllowed(const std::string& ip, const TargetPolicy& policy) {
  in_addr v4{};
  in6_addr v6{};
  bool loopback = false;
  bool is_private = false;
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) {
    is_private = V4Private(ntohl(v4.s_addr), loopback);
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6) == 1) {
    const uint8_t* b = v6.s6_addr;
    static const uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, kLoopback, 16) == 0) {
      loopback = true;
    } else if (std::memcmp(b, kMapped, 12) == 0) {
      const uint32_t a =
          uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 | b[15];
      is_private = V4Private(a, loopback);
    } else {
      is_private = (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
    }
  } else {
    return false;  // not an address: refuse
  }
  if (loopback) return policy.allow_loopback;
  if (is_private) return policy.allow_private;
  return true;
}

SendOutcome Send(const OutgoingRequest& request, const TargetPolicy& policy,
                 const std::atomic<bool>* stop) {
  SendOutcome out;
  if (!IsHttpUrl(request.url)) {
    out.error = "refused: only absolute http and https URLs are delivered to";
    out.refused = true;
    return out;
  }
  GlobalInit();
  // One handle per thread, reset between requests: its connection cache keeps connections to
  // a target alive across deliveries. A different policy gets a fresh handle (no connection
  // opened under a laxer policy is reused).
  struct Handle {
    CURL* curl = nullptr;
    TargetPolicy policy;
    ~Handle() {
      if (curl != nullptr) curl_easy_cleanup(curl);
    }
  };
  thread_local Handle handle;
  if (handle.curl != nullptr && (handle.policy.allow_private != policy.allow_private ||
                                 handle.policy.allow_loopback != policy.allow_loopback)) {
    curl_easy_cleanup(handle.curl);
    handle.curl = nullptr;
  }
  if (handle.curl == nullptr) {
    handle.curl = curl_easy_init();
    handle.policy = policy;
  } else {
    curl_easy_reset(handle.curl);
  }
  CURL* curl = handle.curl;
  if (curl == nullptr) {
    out.error = "curl_easy_init failed";
    return out;
  }
  Context ctx{&policy, stop, {}};
  curl_slist* headers = nullptr;
  for (const auto& [key, value] : request.headers) {
    headers = curl_slist_append(headers, (key + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &ctx);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ctx);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
  } else if (!ctx.refused.empty()) {
    out.error = ctx.refused;
    out.refused = true;
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    out.aborted = true;
    out.error = "stopped";
  } else {
    out.error = error[0] != '\0' ? error : curl_easy_strerror(code);
  }
  curl_easy_reset(curl);  // drop pointers to this call's buffers; connections stay cached
  curl_slist_free_all(headers);
  return out;
}

}  // namespace cloud::events
