// Standard Webhooks signatures (https://www.standardwebhooks.com): the headers a signed delivery
// carries, computed with OpenSSL's HMAC-SHA256.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cloud::events {

// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp_seconds + "." + body)). The key is the
// secret's bytes, or, for a secret of the form "whsec_<base64>", the decoded base64 (the
// Standard Webhooks secret format); a "whsec_" secret that is not valid base64 is used as is.
std::string StandardWebhookSignature(std::string_view secret, std::string_view id,
                                     int64_t timestamp_seconds, std::string_view body);

// Base64 (standard alphabet, padded) of `bytes`.
std::string Base64Encode(std::string_view bytes);

}  // namespace cloud::events
