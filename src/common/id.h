// 26-character IDs as upstream makes them: a random 128-bit UUIDv4 in base32 with the
// alphabet "ybndrfg8ejkmcpqxot1uwisza345h769", padding stripped.
#pragma once

#include <string>
#include <string_view>

namespace cloud {

inline constexpr std::string_view kIdAlphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";
inline constexpr size_t kIdLength = 26;

// A new random ID (cryptographically random bits from OpenSSL).
std::string NewId();

// A new ID for a cluster: like NewId() but always starting with a letter, as upstream's
// cluster IDs do (a leading digit is replaced by a random a-z).
std::string NewClusterId();

// True if `id` has the shape route variables accept: exactly 26 characters of [A-Za-z0-9].
bool IsValidIdShape(std::string_view id);

}  // namespace cloud
