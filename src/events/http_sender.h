// Outgoing POSTs of event deliveries (libcurl stays in http_sender.cc), with the target policy
// the server flags choose: only http(s), and private / loopback addresses refused unless
// allowed. The policy is checked on each resolved address before connecting, so a name
// resolving to a private address is refused too.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cloud::events {

struct TargetPolicy {
  // Allow RFC 1918 / unique-local / link-local / CGNAT addresses (and 0.0.0.0/8).
  bool allow_private = false;
  // Allow 127.0.0.0/8 and ::1.
  bool allow_loopback = false;
};

struct OutgoingRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timeout_ms = 15'000;
};

struct SendOutcome {
  int status = 0;        // HTTP status; 0 when no response was received
  std::string error;     // transport error or refusal when status == 0
  bool aborted = false;  // `stop` was set while sending: the attempt does not count
  // The target policy refused the URL (not http(s)) or every address it resolved to (private
  // or loopback): a permanent error, retrying cannot help. `error` says why.
  bool refused = false;
};

// True when `url` is an absolute http:// or https:// URL with a host.
bool IsHttpUrl(const std::string& url);

// True when the textual IP address (v4 or v6) is private (per `policy` not allowed).
bool AddressAllowed(const std::string& ip, const TargetPolicy& policy);

// POSTs `request`; no redirects followed, response body discarded. Never throws.
SendOutcome Send(const OutgoingRequest& request, const TargetPolicy& policy,
                 const std::atomic<bool>* stop = nullptr);

}  // namespace cloud::events
