// Standard Webhooks signatures (the specification's published example) and the target policy
// checks of outgoing deliveries.
#include "events/signature.h"

#include <gtest/gtest.h>

#include "events/http_sender.h"

namespace cloud::events {
namespace {

TEST(SignatureTest, MatchesTheStandardWebhooksExample) {
  EXPECT_EQ(StandardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                     "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                     R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(SignatureTest, DependsOnEveryPart) {
  const std::string base = StandardWebhookSignature("key", "id", 1, "body");
  EXPECT_EQ(base.rfind("v1,", 0), 0u);
  EXPECT_NE(StandardWebhookSignature("key2", "id", 1, "body"), base);
  EXPECT_NE(StandardWebhookSignature("key", "id2", 1, "body"), base);
  EXPECT_NE(StandardWebhookSignature("key", "id", 2, "body"), base);
  EXPECT_NE(StandardWebhookSignature("key", "id", 1, "body2"), base);
}

TEST(TargetPolicyTest, UrlsAndAddresses) {
  EXPECT_TRUE(IsHttpUrl("http://example.com/x"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://example.com"));
  EXPECT_FALSE(IsHttpUrl("ftp://example.com"));
  EXPECT_FALSE(IsHttpUrl("file:///etc/passwd"));
  EXPECT_FALSE(IsHttpUrl("http:///nohost"));
  EXPECT_FALSE(IsHttpUrl("relative/path"));

  const TargetPolicy deny;
  for (const char* ip :
       {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "127.0.0.1", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0", "not-an-ip"}) {
    EXPECT_FALSE(AddressAllowed(ip, deny)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "2001:4860:4860::8888", "::ffff:1.1.1.1"}) {
    EXPECT_TRUE(AddressAllowed(ip, deny)) << ip;
  }
  EXPECT_TRUE(AddressAllowed("127.0.0.1", TargetPolicy{false, true}));
  EXPECT_FALSE(AddressAllowed("10.0.0.1", TargetPolicy{false, true}));
  EXPECT_TRUE(AddressAllowed("10.0.0.1", TargetPolicy{true, false}));
}

TEST(TargetPolicyTest, RefusedSendsReachNothing) {
  SendOutcome out = Send({"ftp://127.0.0.1/x", "{}", {}, 1000}, TargetPolicy{true, true});
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.error.find("http"), std::string::npos);
  out = Send({"http://127.0.0.1:9/x", "{}", {}, 1000}, TargetPolicy{});
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.error.find("not allowed"), std::string::npos) << out.error;
}

}  // namespace
}  // namespace cloud::events
