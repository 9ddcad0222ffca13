#include "common/id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace cloud {
namespace {

std::array<uint8_t, 16> RandomUuidV4() {
  std::array<uint8_t, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    std::abort();  // CLOUD_CHECK: the OS random source failed; no safe way to continue
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return bytes;
}

}  // namespace

std::string NewId() {
  const std::array<uint8_t, 16> bytes = RandomUuidV4();
  std::string out;
  out.reserve(kIdLength);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kIdAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kIdAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::string NewClusterId() {
  std::string id = NewId();
  if (id[0] >= '0' && id[0] <= '9') {
    uint8_t r = 0;
    if (RAND_bytes(&r, 1) != 1) std::abort();
    id[0] = static_cast<char>('a' + r % 26);
  }
  return id;
}

bool IsValidIdShape(std::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace cloud
