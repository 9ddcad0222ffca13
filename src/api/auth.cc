#include "api/auth.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <utility>

#include "client/http_transport.h"
#include "model/json_codec.h"

namespace cloud::api {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string ToHex(const unsigned char* data, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHexDigits[data[i] >> 4]);
    out.push_back(kHexDigits[data[i] & 0xF]);
  }
  return out;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 4648 §5 base64url (padding optional) → bytes; nullopt when malformed.
std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string b64(in);
  for (char& c : b64) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    }
  }
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  if (b64.size() % 4 == 1) return std::nullopt;
  const size_t pad = (4 - b64.size() % 4) % 4;
  b64.append(pad, '=');
  std::string out(b64.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// A JWK's RSA modulus/exponent as a PEM "PUBLIC KEY" (what libjwt's RS256 verifier reads).
std::optional<std::string> RsaJwkToPem(std::string_view n_b64, std::string_view e_b64) {
  std::optional<std::string> n = Base64UrlDecode(n_b64);
  std::optional<std::string> e = Base64UrlDecode(e_b64);
  if (!n || !e || n->empty() || e->empty()) return std::nullopt;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()),
                nullptr),
      BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()),
                nullptr),
      BN_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return std::nullopt;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw_key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return std::nullopt;
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw_key, EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) return std::nullopt;
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return std::nullopt;
  return std::string(data, static_cast<size_t>(size));
}

// A string member of a JSON object ("" when absent or not a string).
std::string StringMember(const model::Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The RSA signing keys of a JWKS document as PEM; other key types are skipped.
Result<std::vector<std::string>> ParseJwks(std::string_view body) {
  CLOUD_TRY(model::Json doc, model::ParseJson(body));
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return InvalidArgument("JWKS has no keys array");
  }
  std::vector<std::string> pems;
  for (const model::Json& jwk : doc["keys"]) {
    if (!jwk.is_object() || StringMember(jwk, "kty") != "RSA") continue;
    if (jwk.contains("use") && StringMember(jwk, "use") != "sig") continue;
    const std::string n = StringMember(jwk, "n");
    const std::string e = StringMember(jwk, "e");
    if (n.empty() || e.empty()) continue;
    if (std::optional<std::string> pem = RsaJwkToPem(n, e)) {
      pems.push_back(std::move(*pem));
    }
  }
  if (pems.empty()) return InvalidArgument("JWKS has no usable RSA key");
  return pems;
}

// The JWKS keys, fetched on first use and refreshed after the TTL or (rate limited) when a
// token's key is unknown. Thread-safe.
class JwksCache {
 public:
  JwksCache(std::string url, int64_t ttl_ms, int64_t min_refetch_ms, Logger log)
      : url_(std::move(url)),
        ttl_ms_(ttl_ms),
        min_refetch_ms_(min_refetch_ms),
        log_(std::move(log)) {}

  // The cached keys, fetching them when absent or stale (`refresh`: the caller found no
  // matching key; refetch unless fetched recently). A failed refresh keeps serving the old
  // keys; with nothing cached it is an error.
  Result<std::shared_ptr<const std::vector<std::string>>> Keys(bool refresh) {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = NowMillis();
    const bool stale = keys_ == nullptr || now - fetched_at_ >= ttl_ms_ ||
                       (refresh && now - fetched_at_ >= min_refetch_ms_);
    if (!stale) return keys_;
    Result<std::vector<std::string>> fetched = Fetch();
    if (!fetched) {
      log_.With("jwks_url", url_).Warn("failed to fetch JWKS", fetched.error());
      if (keys_ == nullptr) return fetched.error();
      return keys_;
    }
    keys_ = std::make_shared<const std::vector<std::string>>(std::move(*fetched));
    fetched_at_ = now;
    log_.With("jwks_url", url_).With("keys", std::to_string(keys_->size())).Debug("fetched JWKS");
    return keys_;
  }

 private:
  Result<std::vector<std::string>> Fetch() {
    if (!transport_) {
      client::HttpTransportOptions options;
      options.connect_timeout_ms = 5'000;
      options.timeout_ms = 10'000;
      transport_ = client::NewCurlTransport(options);
    }
    client::HttpRequest request;
    request.url = url_;
    request.headers.emplace_back("Accept", "application/json");
    CLOUD_TRY(client::HttpResponse response, transport_->Do(request));
    if (response.status != 200) {
      return Unavailable("JWKS fetch answered HTTP " + std::to_string(response.status));
    }
    return ParseJwks(response.body);
  }

  const std::string url_;
  const int64_t ttl_ms_;
  const int64_t min_refetch_ms_;
  Logger log_;
  std::mutex mu_;
  std::unique_ptr<client::HttpTransport> transport_;
  std::shared_ptr<const std::vector<std::string>> keys_;
  int64_t fetched_at_ = 0;
};

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// The token verified (RS256 only) with one of `pems`, or null.
JwtPtr VerifyWithAny(const std::string& token, const std::vector<std::string>& pems) {
  for (const std::string& pem : pems) {
    jwt_t* raw = nullptr;
    const int rc =
        jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(pem.data()),
                   static_cast<int>(pem.size()));
    JwtPtr jwt(raw);
    if (rc == 0 && jwt && jwt_get_alg(jwt.get()) == JWT_ALG_RS256) return jwt;
  }
  return nullptr;
}

std::string StringGrant(jwt_t* jwt, const char* name) {
  const char* value = jwt_get_grant(jwt, name);
  return value == nullptr ? "" : value;
}

// A numeric claim (exp, nbf); nullopt when absent.
std::optional<int64_t> NumericGrant(jwt_t* jwt, const char* name) {
  char* json = jwt_get_grants_json(jwt, name);
  if (json == nullptr) return std::nullopt;
  Result<model::Json> parsed = model::ParseJson(json);
  std::free(json);
  if (!parsed || !parsed->is_number()) return std::optional<int64_t>(0);  // present, not a number
  return static_cast<int64_t>(parsed->get<double>());
}

bool AudienceMatches(jwt_t* jwt, const std::string& audience) {
  char* json = jwt_get_grants_json(jwt, "aud");
  if (json == nullptr) return false;
  Result<model::Json> parsed = model::ParseJson(json);
  std::free(json);
  if (!parsed) return false;
  if (parsed->is_string()) return parsed->get<std::string>() == audience;
  if (parsed->is_array()) {
    for (const model::Json& a : *parsed) {
      if (a.is_string() && a.get<std::string>() == audience) return true;
    }
  }
  return false;
}

struct EndpointRule {
  std::string prefix;               // when not a regex
  std::optional<std::regex> regex;  // entries "^...$"
};

class RequestAuthenticator {
 public:
  RequestAuthenticator(AuthOptions options, store::ApiKeyStore* api_keys,
                       std::vector<EndpointRule> rules, Logger log)
      : options_(std::move(options)),
        api_keys_(api_keys),
        rules_(std::move(rules)),
        log_(std::move(log)) {
    if (options_.JwtEnabled()) {
      jwks_ = std::make_shared<JwksCache>(options_.jwks_url, options_.jwks_cache_ttl_ms,
                                          options_.jwks_min_refetch_ms, log_);
    }
  }

  std::optional<HttpResponse> operator()(const HttpRequest& request, std::string& caller_id) {
    std::optional<std::string_view> header = request.Header("Authorization");
    if (!header || header->empty()) {
      return HttpResponse::Text(401, "Authorization header missing\n");
    }
    std::string token(*header);
    if (token.rfind("Bearer ", 0) == 0) token.erase(0, 7);

    if (token.rfind(kApiKeyPrefix, 0) == 0) return CheckApiKey(token, caller_id);
    if (!jwks_) return HttpResponse::Text(401, "Invalid token\n");

    Result<std::shared_ptr<const std::vector<std::string>>> keys = jwks_->Keys(false);
    if (!keys) return HttpResponse::Text(500, "Failed to create keyfunc\n");
    JwtPtr jwt = VerifyWithAny(token, **keys);
    if (!jwt) {
      // Possibly a rotated key: refetch (rate limited) and try again.
      keys = jwks_->Keys(true);
      if (keys) jwt = VerifyWithAny(token, **keys);
    }
    if (!jwt) return Invalid("signature not verified");
    if (StringGrant(jwt.get(), "iss") != options_.issuer) return Invalid("issuer mismatch");
    if (!AudienceMatches(jwt.get(), options_.audience)) return Invalid("audience mismatch");
    const int64_t now_s = NowMillis() / 1000;
    if (std::optional<int64_t> exp = NumericGrant(jwt.get(), "exp"); exp && now_s >= *exp) {
      return Invalid("token expired");
    }
    if (std::optional<int64_t> nbf = NumericGrant(jwt.get(), "nbf"); nbf && now_s < *nbf) {
      return Invalid("token not valid yet");
    }
    const std::string oid = StringGrant(jwt.get(), "oid");
    const std::string appid = StringGrant(jwt.get(), "appid");
    caller_id = oid.empty() ? appid : oid;

    if (IsRestricted(appid) && !EndpointAllowed(request.raw_path)) {
      log_.With("caller", caller_id)
          .With(logkey::kPath, request.raw_path)
          .Warn("restricted client denied");
      return HttpResponse::Text(403, "Access denied\n");
    }
    return std::nullopt;
  }

 private:
  std::optional<HttpResponse> Invalid(std::string_view why) {
    log_.Debug(std::string("invalid token: ") + std::string(why));
    return HttpResponse::Text(401, "Invalid token\n");
  }

  std::optional<HttpResponse> CheckApiKey(const std::string& token, std::string& caller_id) {
    if (api_keys_ == nullptr) return Invalid("API keys not accepted");
    Result<std::optional<store::ApiKey>> key = api_keys_->GetActiveApiKeyByHash(HashApiKey(token));
    if (!key) {
      log_.Error("failed to look up API key", key.error());
      return HttpResponse::Text(500, "Internal Server Error\n");
    }
    if (!*key) return Invalid("unknown or revoked API key");
    caller_id = "apikey:" + (*key)->name;
    return std::nullopt;
  }

  bool IsRestricted(const std::string& appid) const {
    if (appid.empty()) return false;
    for (const std::string& id : options_.restricted_client_ids) {
      if (id == appid) return true;
    }
    return false;
  }

  bool EndpointAllowed(const std::string& path) const {
    for (const EndpointRule& rule : rules_) {
      if (rule.regex ? std::regex_search(path, *rule.regex) : path.rfind(rule.prefix, 0) == 0) {
        return true;
      }
    }
    return false;
  }

  const AuthOptions options_;
  store::ApiKeyStore* const api_keys_;
  const std::vector<EndpointRule> rules_;
  Logger log_;
  std::shared_ptr<JwksCache> jwks_;
};

}  // namespace

std::string GenerateApiKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();  // no entropy: cannot continue
  return std::string(kApiKeyPrefix) + ToHex(bytes, sizeof(bytes));
}

std::string HashApiKey(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(key.data(), key.size(), digest, &size, EVP_sha256(), nullptr);
  return ToHex(digest, size);
}

Result<Authenticator> MakeAuthenticator(AuthOptions options, store::ApiKeyStore* api_keys,
                                        Logger log) {
  if (!options.Enabled()) return Authenticator{};
  if (options.JwtEnabled() && options.jwks_url.empty()) {
    return InvalidArgument("--jwks-url is required when --issuer and --audience are set");
  }
  std::vector<EndpointRule> rules;
  for (const std::string& entry : options.restricted_client_allowed_endpoints) {
    EndpointRule rule;
    if (entry.size() >= 2 && entry.front() == '^' && entry.back() == '$') {
      try {
        rule.regex.emplace(entry);
      } catch (const std::regex_error& e) {
        return InvalidArgument("--restricted-client-allowed-endpoints: invalid regex \"" + entry +
                               "\": " + e.what());
      }
    } else {
      rule.prefix = entry;
    }
    rules.push_back(std::move(rule));
  }
  auto authenticator = std::make_shared<RequestAuthenticator>(std::move(options), api_keys,
                                                              std::move(rules), std::move(log));
  return Authenticator([authenticator](const HttpRequest& request, std::string& caller_id) {
    return (*authenticator)(request, caller_id);
  });
}

}  // namespace cloud::api
