// Authentication (spec upstream-api.md §1.6 and our API keys) over real HTTP: RS256 tokens
// signed in the test with a fresh OpenSSL RSA key and libjwt, the JWKS served by a loopback
// HTTP server, API keys in the real APIKey table (SQLite and PostgreSQL).
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api_test_util.h"
#include "store/sql_api_key_store.h"

namespace cloud::apitest {
namespace {

std::string Base64Url(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// A fresh 2048-bit RSA key: its private PEM (to sign), public PEM and JWK (to verify).
struct TestRsaKey {
  std::string private_pem;
  std::string public_pem;
  nlohmann::json jwk;

  static TestRsaKey Generate(const std::string& kid) {
    TestRsaKey key;
    EVP_PKEY* pkey = EVP_RSA_gen(2048);
    EXPECT_NE(pkey, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    key.private_pem.assign(data, static_cast<size_t>(size));
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, pkey);
    size = BIO_get_mem_data(bio, &data);
    key.public_pem.assign(data, static_cast<size_t>(size));
    BIO_free(bio);
    auto bn_bytes = [&](const char* name) {
      BIGNUM* bn = nullptr;
      EVP_PKEY_get_bn_param(pkey, name, &bn);
      std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
      BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
      BN_free(bn);
      return bytes;
    };
    key.jwk = {{"kty", "RSA"},
               {"use", "sig"},
               {"alg", "RS256"},
               {"kid", kid},
               {"n", Base64Url(bn_bytes(OSSL_PKEY_PARAM_RSA_N))},
               {"e", Base64Url(bn_bytes(OSSL_PKEY_PARAM_RSA_E))}};
    EVP_PKEY_free(pkey);
    return key;
  }
};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Claims of a test token; `aud_json` overrides `aud` with raw JSON (e.g. an array).
struct Claims {
  std::string iss = "https://issuer.test/";
  std::string aud = "cloud-api";
  std::string aud_json;
  std::string oid = "user-1";
  std::string appid = "app-1";
  int64_t exp = NowSeconds() + 600;
  int64_t nbf = 0;  // 0: absent
};

// Signs `claims` with `alg` and `key` (a private PEM for RS256, a secret for HS256).
std::string SignToken(const Claims& c, const std::string& key, jwt_alg_t alg = JWT_ALG_RS256) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "iss", c.iss.c_str());
  if (c.aud_json.empty()) {
    jwt_add_grant(jwt, "aud", c.aud.c_str());
  } else {
    jwt_add_grants_json(jwt, (R"({"aud":)" + c.aud_json + "}").c_str());
  }
  if (!c.oid.empty()) jwt_add_grant(jwt, "oid", c.oid.c_str());
  if (!c.appid.empty()) jwt_add_grant(jwt, "appid", c.appid.c_str());
  jwt_add_grant_int(jwt, "exp", static_cast<long>(c.exp));
  if (c.nbf != 0) jwt_add_grant_int(jwt, "nbf", static_cast<long>(c.nbf));
  EXPECT_EQ(jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())),
            0);
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded == nullptr ? "" : encoded;
  std::free(encoded);
  jwt_free(jwt);
  return token;
}

// A JWKS endpoint on loopback: GET /jwks answers the current keys (or 500 when failing) and
// counts fetches.
class JwksServer {
 public:
  explicit JwksServer(Logger log) {
    api::HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.workers = 1;
    server_ = std::make_unique<api::HttpServer>(
        std::move(options),
        [this](api::HttpRequest& request) {
          if (request.path != "/jwks") return api::HttpResponse::Text(404, "not found\n");
          fetches_++;
          std::lock_guard<std::mutex> lock(mu_);
          if (failing_) return api::HttpResponse::Text(500, "boom\n");
          api::HttpResponse r;
          r.content_type = "application/json";
          r.body = nlohmann::json{{"keys", keys_}}.dump();
          return r;
        },
        std::move(log));
    Result<void> started = server_->Start();
    EXPECT_TRUE(started.has_value()) << (started ? "" : started.error().message);
  }
  ~JwksServer() { server_->Stop(); }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/jwks";
  }
  void SetKeys(std::vector<nlohmann::json> keys) {
    std::lock_guard<std::mutex> lock(mu_);
    keys_ = std::move(keys);
  }
  void SetFailing(bool failing) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_ = failing;
  }
  int fetches() const { return fetches_.load(); }

 private:
  std::mutex mu_;
  std::vector<nlohmann::json> keys_;
  bool failing_ = false;
  std::atomic<int> fetches_{0};
  std::unique_ptr<api::HttpServer> server_;
};

// The RSA keys are slow to make: one pair for the whole test binary.
const TestRsaKey& SigningKey() {
  static const TestRsaKey key = TestRsaKey::Generate("key-1");
  return key;
}
const TestRsaKey& OtherKey() {
  static const TestRsaKey key = TestRsaKey::Generate("key-2");
  return key;
}

// ApiTest with auth on: JWT (issuer/audience/JWKS) plus API keys, and one restricted client.
class AuthRoutes : public ApiTest {
 protected:
  void ConfigureDeps(api::ApiDeps& deps) override {
    (void)deps;
    jwks_ = std::make_unique<JwksServer>(logger_.log);
    jwks_->SetKeys({SigningKey().jwk});
    api_keys_ = std::make_unique<store::SqlApiKeyStore>(test_db_->db(), clock_);
    api::AuthOptions options = Options();
    Result<api::Authenticator> auth = api::MakeAuthenticator(options, api_keys_.get(), logger_.log);
    ASSERT_TRUE(auth.has_value()) << auth.error().message;
    env_.authenticate = *auth;
  }

  virtual api::AuthOptions Options() {
    api::AuthOptions options;
    options.issuer = "https://issuer.test/";
    options.audience = "cloud-api";
    options.jwks_url = jwks_->url();
    options.restricted_client_ids = {"restricted-app"};
    options.restricted_client_allowed_endpoints = {"/api/installations",
                                                   "^/api/cluster/[A-Za-z0-9]{26}$"};
    options.jwks_min_refetch_ms = 0;  // refetch at once on an unknown key (rotation test)
    return options;
  }

  WireResponse GetAs(const std::string& target, const std::string& authorization) {
    return client_->Request("GET", target, "", {"Authorization: " + authorization});
  }
  // Creates an API key in the store; returns the key.
  std::string NewApiKey(const std::string& name, std::string* id = nullptr) {
    std::string key = api::GenerateApiKey();
    Result<store::ApiKey> created = api_keys_->CreateApiKey(name, api::HashApiKey(key));
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    if (id != nullptr && created) *id = created->id;
    return key;
  }

  std::unique_ptr<JwksServer> jwks_;
  std::unique_ptr<store::SqlApiKeyStore> api_keys_;
};

TEST_P(AuthRoutes, AuthIsOffWithoutIssuerAndAudience) {
  api::AuthOptions only_issuer;
  only_issuer.issuer = "https://issuer.test/";
  Result<api::Authenticator> auth = api::MakeAuthenticator(only_issuer, nullptr, logger_.log);
  ASSERT_TRUE(auth.has_value());
  EXPECT_FALSE(static_cast<bool>(*auth));

  api::AuthOptions no_jwks = Options();
  no_jwks.jwks_url = "";
  Result<api::Authenticator> bad = api::MakeAuthenticator(no_jwks, nullptr, logger_.log);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("--jwks-url"), std::string::npos);

  api::AuthOptions bad_regex = Options();
  bad_regex.restricted_client_allowed_endpoints = {"^/api/(cluster$"};
  bad = api::MakeAuthenticator(bad_regex, nullptr, logger_.log);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("--restricted-client-allowed-endpoints"), std::string::npos);
}

TEST_P(AuthRoutes, MissingHeaderIs401Text) {
  WireResponse r = Get("/api/clusters");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "Authorization header missing\n");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Post("/api/clusters", "{}").status, 401);
  // The middleware runs for matched routes only: unknown paths stay 404, wrong methods 405.
  EXPECT_EQ(Get("/api/nothing").status, 404);
  EXPECT_EQ(client_->Request("PATCH", "/api/clusters").status, 405);
}

TEST_P(AuthRoutes, ValidTokenWithOrWithoutBearerPrefix) {
  const std::string token = SignToken({}, SigningKey().private_pem);
  WireResponse r = GetAs("/api/clusters", "Bearer " + token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(GetAs("/api/clusters", token).status, 200);
  Claims array_aud;
  array_aud.aud_json = R"(["other","cloud-api"])";
  EXPECT_EQ(
      GetAs("/api/clusters", "Bearer " + SignToken(array_aud, SigningKey().private_pem)).status,
      200);
  Claims app_only;
  app_only.oid = "";
  EXPECT_EQ(
      GetAs("/api/clusters", "Bearer " + SignToken(app_only, SigningKey().private_pem)).status,
      200);
  EXPECT_EQ(jwks_->fetches(), 1);  // the JWKS is cached
}

TEST_P(AuthRoutes, InvalidTokensAre401) {
  const std::string& pem = SigningKey().private_pem;
  Claims wrong_iss;
  wrong_iss.iss = "https://evil.test/";
  Claims wrong_aud;
  wrong_aud.aud = "someone-else";
  Claims wrong_aud_array;
  wrong_aud_array.aud_json = R"(["a","b"])";
  Claims expired;
  expired.exp = NowSeconds() - 10;
  Claims not_yet;
  not_yet.nbf = NowSeconds() + 600;
  const std::string valid = SignToken({}, pem);
  std::string tampered = valid;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage", "Bearer not-a-jwt"},
      {"empty bearer", "Bearer "},
      {"wrong issuer", "Bearer " + SignToken(wrong_iss, pem)},
      {"wrong audience", "Bearer " + SignToken(wrong_aud, pem)},
      {"wrong audience array", "Bearer " + SignToken(wrong_aud_array, pem)},
      {"expired", "Bearer " + SignToken(expired, pem)},
      {"not valid yet", "Bearer " + SignToken(not_yet, pem)},
      {"unknown key", "Bearer " + SignToken({}, OtherKey().private_pem)},
      {"tampered", "Bearer " + tampered},
      // Algorithm confusion: HS256 keyed with the public PEM must not verify.
      {"hs256 with public key", "Bearer " + SignToken({}, SigningKey().public_pem, JWT_ALG_HS256)},
      {"unknown api key", "Bearer cak_0000"},
  };
  for (const auto& [name, header] : cases) {
    WireResponse r = GetAs("/api/clusters", header);
    EXPECT_EQ(r.status, 401) << name;
    EXPECT_EQ(r.body, "Invalid token\n") << name;
  }
}

TEST_P(AuthRoutes, RotatedKeyIsFetched) {
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + SignToken({}, SigningKey().private_pem)).status,
            200);
  jwks_->SetKeys({SigningKey().jwk, OtherKey().jwk});
  WireResponse r = GetAs("/api/clusters", "Bearer " + SignToken({}, OtherKey().private_pem));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(jwks_->fetches(), 2);
}

TEST_P(AuthRoutes, JwksFailureIs500) {
  jwks_->SetFailing(true);
  WireResponse r = GetAs("/api/clusters", "Bearer " + SignToken({}, SigningKey().private_pem));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Failed to create keyfunc\n");
  jwks_->SetFailing(false);
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + SignToken({}, SigningKey().private_pem)).status,
            200);
}

TEST_P(AuthRoutes, RestrictedClientOnlyReachesAllowedEndpoints) {
  Claims restricted;
  restricted.appid = "restricted-app";
  const std::string header = "Bearer " + SignToken(restricted, SigningKey().private_pem);
  EXPECT_EQ(GetAs("/api/installations", header).status, 200);  // prefix entry
  EXPECT_EQ(GetAs("/api/installations/count", header).status, 200);
  EXPECT_EQ(GetAs("/api/cluster/" + NewId(), header).status, 404);  // regex entry: passes auth
  WireResponse denied = GetAs("/api/clusters", header);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body, "Access denied\n");
  EXPECT_EQ(GetAs("/api/cluster/" + NewId() + "/utilities", header).status, 403);  // regex anchored
  // Unrestricted apps reach everything.
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + SignToken({}, SigningKey().private_pem)).status,
            200);
}

TEST_P(AuthRoutes, ApiKeyAcceptedUntilRevoked) {
  std::string id;
  const std::string key = NewApiKey("ci-bot", &id);
  ASSERT_EQ(key.rfind("cak_", 0), 0u);
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + key).status, 200);
  EXPECT_EQ(GetAs("/api/clusters", key).status, 200);
  // Only the hash is stored.
  Result<store::Rows> rows = test_db_->db().Query("SELECT Hash FROM APIKey");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().GetString(0), api::HashApiKey(key));
  EXPECT_EQ(rows->front().GetString(0).find(key.substr(4)), std::string::npos);

  ASSERT_TRUE(api_keys_->RevokeApiKey(id).has_value());
  WireResponse r = GetAs("/api/clusters", "Bearer " + key);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "Invalid token\n");
  // The key never appears in logs.
  for (const LogRecord& record : logger_.sink->Records()) {
    EXPECT_EQ(record.message.find(key), std::string::npos);
    for (const auto& field : record.fields) EXPECT_EQ(field.second.find(key), std::string::npos);
  }
}

// Auth with API keys only (--require-api-key, no issuer/audience).
class ApiKeyOnlyAuth : public AuthRoutes {
 protected:
  api::AuthOptions Options() override {
    api::AuthOptions options;
    options.require_api_key = true;
    return options;
  }
};

TEST_P(ApiKeyOnlyAuth, OnlyApiKeysAreAccepted) {
  EXPECT_EQ(Get("/api/clusters").status, 401);
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + SignToken({}, SigningKey().private_pem)).status,
            401);
  const std::string key = NewApiKey("admin");
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + key).status, 200);
  EXPECT_EQ(GetAs("/api/clusters", "Bearer " + api::GenerateApiKey()).status, 401);
  EXPECT_EQ(jwks_->fetches(), 0);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(AuthRoutes);
CLOUD_INSTANTIATE_ENGINE_TESTS(ApiKeyOnlyAuth);

}  // namespace
}  // namespace cloud::apitest
