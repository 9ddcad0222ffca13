// EventDeliverer on SQLite and PostgreSQL against a real HTTP receiver on loopback: every state
// change of an installation's life reaches a subscription and a legacy webhook in order with
// valid Standard Webhooks signatures; outages, restarts and crashes lose nothing and keep the
// per-resource order; 410 disables; max age and FailureThreshold give up; private targets are
// refused; two deliverers on one database deliver each row once.
#include "events/deliverer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/id.h"
#include "e2e/client/loopback_http_server.h"
#include "model/event.h"
#include "model/webhook.h"
#include "store/event_outbox.h"
#include "store/sql_delivery_admin.h"
#include "store/sql_fenced_write.h"
#include "store/sql_installation_store.h"
#include "store/sql_subscription_store.h"
#include "store/sql_webhook_store.h"
#include "testlib/test_database.h"
#include "testlib/test_installation.h"

namespace cloud::events {
namespace {

using model::InstallationState;
using testing::CannedResponse;
using testing::LoopbackHttpServer;
using testing::RecordedRequest;

constexpr const char* kSecret = "s3cr3t-signing-key";

// A receiver whose answer the test switches; it records each request with the status it got.
class Receiver {
 public:
  Receiver()
      : server_([this](const RecordedRequest& r) {
          std::lock_guard lock(mu_);
          const int status = decide_ ? decide_(r) : status_.load();
          answered_.push_back({r, status});
          return CannedResponse{status, "", {}};
        }) {}
  void Answer(int status) { status_ = status; }
  // Answers each request with decide(request) instead (set before deliveries start).
  void AnswerBy(std::function<int(const RecordedRequest&)> decide) {
    std::lock_guard lock(mu_);
    decide_ = std::move(decide);
  }
  std::string url(const std::string& path) const { return server_.url() + path; }
  // Requests answered < 300 on `path`, in arrival order.
  std::vector<RecordedRequest> Accepted(const std::string& path) const {
    std::lock_guard lock(mu_);
    std::vector<RecordedRequest> out;
    for (const auto& [r, status] : answered_) {
      if (r.Path() == path && status < 300) out.push_back(r);
    }
    return out;
  }
  size_t Total() const {
    std::lock_guard lock(mu_);
    return answered_.size();
  }

 private:
  mutable std::mutex mu_;
  std::atomic<int> status_{200};
  std::function<int(const RecordedRequest&)> decide_;
  std::vector<std::pair<RecordedRequest, int>> answered_;
  LoopbackHttpServer server_;
};

std::string ExpectedSignature(const std::string& id, const std::string& ts,
                              const std::string& body) {
  const std::string message = id + "." + ts + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string b64(4 * ((len + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(len));
  return "v1," + b64;
}

class DelivererTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    UseClock(SystemClock::Instance());
  }

  void UseClock(const Clock& clock) {
    clock_ptr_ = &clock;
    locks_ = store::MakeSqlLockStore(db(), clock);
    installations_ = std::make_unique<store::SqlInstallationStore>(db(), *locks_, clock);
    subscriptions_ = std::make_unique<store::SqlSubscriptionStore>(db(), *locks_, clock);
    webhooks_ = std::make_unique<store::SqlWebhookStore>(db(), clock);
  }

  DelivererOptions Options() {
    DelivererOptions o;
    o.instance_id = "test-deliverer";
    o.targets.allow_loopback = true;
    o.targets.allow_private = true;
    o.initial_backoff_ms = 20;
    o.max_backoff_ms = 100;
    o.idle_poll_ms = 50;
    o.attempt_timeout_ms = 5000;
    return o;
  }

  std::unique_ptr<EventDeliverer> MakeDeliverer(DelivererOptions o,
                                                store::SqlDatabase* on = nullptr,
                                                store::LockStore* locks = nullptr) {
    return std::make_unique<EventDeliverer>(on ? *on : db(), locks ? *locks : *locks_, *clock_ptr_,
                                            logger_.log, std::move(o));
  }

  std::string Subscribe(const std::string& url, const std::string& secret = kSecret,
                        int64_t failure_threshold_ns = 0) {
    model::Subscription s;
    s.name = "sub";
    s.url = url;
    s.owner_id = "owner";
    s.event_type = "resourceStateChange";
    s.secret = secret;
    s.failure_threshold = failure_threshold_ns;
    s.headers = model::Headers{{"X-Static", std::string("static-value"), std::nullopt}};
    auto created = subscriptions_->CreateSubscription(s);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? created->id : "";
  }

  std::string AddWebhook(const std::string& url, const std::string& secret = kSecret) {
    model::Webhook w;
    w.owner_id = "owner";
    w.url = url;
    w.secret = secret;
    auto created = webhooks_->CreateWebhook(w);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? created->id : "";
  }

  // Creates an installation and walks it through `states`; returns its ID.
  std::string Lifecycle(const std::string& name, const std::vector<InstallationState>& states) {
    model::Installation i = testlib::TestInstallation(name, InstallationState::kCreationRequested);
    i.group_id = std::string();
    auto dto = installations_->CreateInstallation(i, {}, {name + ".example.com"},
                                                  store::EventOptions::IfChanged());
    EXPECT_TRUE(dto) << dto.error().ToString();
    if (!dto) return "";
    const std::string id = dto->installation.id;
    Step(id, states);
    return id;
  }

  void Step(const std::string& id, const std::vector<InstallationState>& states) {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "test");
    ASSERT_TRUE(lease) << lease.error().ToString();
    for (InstallationState state : states) {
      ASSERT_TRUE(installations_->UpdateInstallationState(id, state, *lease,
                                                          store::EventOptions::IfChanged()));
    }
    ASSERT_TRUE(locks_->Release(*lease));
  }

  static bool WaitFor(const std::function<bool()>& done, int timeout_ms = 20000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  int64_t Count(const std::string& sql, const store::SqlParams& params = {}) {
    auto rows = db().Query(sql, params);
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows ? rows->front().GetInt64(0) : -1;
  }

  // newState of each subscription payload for `resource`, in arrival order.
  static std::vector<std::string> SubscriptionStates(const std::vector<RecordedRequest>& requests,
                                                     const std::string& resource) {
    std::vector<std::string> out;
    for (const RecordedRequest& r : requests) {
      auto p = model::DecodeJson<model::StateChangeEventPayload>(r.body);
      EXPECT_TRUE(p) << r.body;
      if (p && p->resource_id == resource) out.push_back(p->new_state);
    }
    return out;
  }
  static std::vector<std::string> WebhookStates(const std::vector<RecordedRequest>& requests,
                                                const std::string& resource) {
    std::vector<std::string> out;
    for (const RecordedRequest& r : requests) {
      auto p = model::DecodeJson<model::WebhookPayload>(r.body);
      EXPECT_TRUE(p) << r.body;
      if (p && p->id == resource) out.push_back(p->new_state);
    }
    return out;
  }

  const Clock* clock_ptr_ = nullptr;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlInstallationStore> installations_;
  std::unique_ptr<store::SqlSubscriptionStore> subscriptions_;
  std::unique_ptr<store::SqlWebhookStore> webhooks_;
};

const std::vector<InstallationState> kLife = {InstallationState::kStable,
                                              InstallationState::kUpdateRequested,
                                              InstallationState::kUpdateInProgress,
                                              InstallationState::kStable,
                                              InstallationState::kDeletionRequested,
                                              InstallationState::kDeleted};
const std::vector<std::string> kLifeStates = {
    "creation-requested", "stable", "update-requested", "update-in-progress", "stable",
    "deletion-requested", "deleted"};

TEST_P(DelivererTest, EveryStateChangeArrivesInOrderWithValidSignatures) {
  Receiver receiver;
  const std::string sub = Subscribe(receiver.url("/sub"));
  AddWebhook(receiver.url("/hook"));
  auto deliverer = MakeDeliverer(Options());
  deliverer->Start();
  const std::string id = Lifecycle("alpha", kLife);
  deliverer->Wake();
  // Until every delivery is recorded, not only received: Stop() aborts a send whose answer is
  // still on its way (the row stays pending, to be sent again), and the rows are checked below.
  ASSERT_TRUE(WaitFor([&] {
    return receiver.Accepted("/sub").size() == kLifeStates.size() &&
           receiver.Accepted("/hook").size() == kLifeStates.size() &&
           deliverer->stats().delivered == static_cast<int64_t>(2 * kLifeStates.size());
  })) << receiver.Total();
  deliverer->Stop();

  const auto subs = receiver.Accepted("/sub");
  const auto hooks = receiver.Accepted("/hook");
  EXPECT_EQ(SubscriptionStates(subs, id), kLifeStates);
  EXPECT_EQ(WebhookStates(hooks, id), kLifeStates);
  for (const auto* list : {&subs, &hooks}) {
    for (const RecordedRequest& r : *list) {
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.Header("Content-Type"), "application/json");
      const std::string msg_id = r.Header("webhook-id");
      const std::string ts = r.Header("webhook-timestamp");
      ASSERT_FALSE(msg_id.empty());
      ASSERT_FALSE(ts.empty());
      EXPECT_NEAR(std::stoll(ts), SystemClock::Instance().NowMillis() / 1000, 60);
      EXPECT_EQ(r.Header("webhook-signature"), ExpectedSignature(msg_id, ts, r.body));
      EXPECT_NE(r.Header("webhook-signature"), ExpectedSignature(msg_id, ts, r.body + " "));
    }
  }
  // Subscription headers and upstream payload shapes.
  EXPECT_EQ(subs.front().Header("X-Static"), "static-value");
  auto first = model::DecodeJson<model::StateChangeEventPayload>(subs.front().body);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->old_state, "n/a");
  ASSERT_TRUE(first->extra_data.has_value());
  EXPECT_EQ(first->extra_data->at("Name"), "alpha");
  EXPECT_NE(subs.front().body.find("\"ExtraData\""), std::string::npos);
  auto hook = model::DecodeJson<model::WebhookPayload>(hooks.front().body);
  ASSERT_TRUE(hook);
  EXPECT_GT(hook->timestamp, int64_t{1'000'000'000'000'000'000});  // nanoseconds
  EXPECT_FALSE(hook->event_id.empty());
  EXPECT_EQ(hook->type, model::ResourceType::kInstallation);

  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'delivered' AND Attempts = 1",
                  {sub}),
            static_cast<int64_t>(kLifeStates.size()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status = 'delivered'"),
            static_cast<int64_t>(kLifeStates.size()));
  auto got = subscriptions_->GetSubscription(sub);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->last_delivery_status, model::SubscriptionDeliveryStatus::kNone);
  EXPECT_GT((*got)->last_delivery_attempt_at, 0);
  EXPECT_EQ(deliverer->stats().delivered, static_cast<int64_t>(2 * kLifeStates.size()));
}

TEST_P(DelivererTest, OutageLosesNothingAndKeepsOrderPerResource) {
  Receiver receiver;
  receiver.Answer(503);
  Subscribe(receiver.url("/sub"));
  AddWebhook(receiver.url("/hook"));
  auto deliverer = MakeDeliverer(Options());
  deliverer->Start();
  const std::string a = Lifecycle("alpha", {InstallationState::kStable});
  const std::string b = Lifecycle("beta", {InstallationState::kStable});
  Step(a, {InstallationState::kUpdateRequested, InstallationState::kStable});
  Step(b, {InstallationState::kDeletionRequested});
  deliverer->Wake();
  // Several failed attempts while the receiver is down.
  ASSERT_TRUE(WaitFor([&] { return receiver.Total() >= 8; }));
  EXPECT_GE(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status = 'retrying'"), 1);
  EXPECT_TRUE(receiver.Accepted("/sub").empty());
  receiver.Answer(200);
  // Until every delivery is recorded too (see EveryStateChangeArrivesInOrderWithValidSignatures).
  ASSERT_TRUE(WaitFor([&] {
    return receiver.Accepted("/sub").size() == 7 && receiver.Accepted("/hook").size() == 7 &&
           deliverer->stats().delivered == 14;
  })) << receiver.Total();
  deliverer->Stop();
  const std::vector<std::string> want_a = {"creation-requested", "stable", "update-requested",
                                           "stable"};
  const std::vector<std::string> want_b = {"creation-requested", "stable", "deletion-requested"};
  EXPECT_EQ(SubscriptionStates(receiver.Accepted("/sub"), a), want_a);
  EXPECT_EQ(SubscriptionStates(receiver.Accepted("/sub"), b), want_b);
  EXPECT_EQ(WebhookStates(receiver.Accepted("/hook"), a), want_a);
  EXPECT_EQ(WebhookStates(receiver.Accepted("/hook"), b), want_b);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status <> 'delivered'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status <> 'delivered'"), 0);
  EXPECT_GE(Count("SELECT MAX(Attempts) FROM EventDelivery"), 2);
  EXPECT_GE(deliverer->stats().retries, 2);
}

TEST_P(DelivererTest, CrashBeforeDeliveryAndRestartDeliverEverything) {
  Receiver receiver;
  Subscribe(receiver.url("/sub"));
  AddWebhook(receiver.url("/hook"));
  // "Crash": the state changes committed, no worker ever ran.
  const std::string a = Lifecycle("alpha", {InstallationState::kStable});
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status = 'not-attempted'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status = 'not-attempted'"), 2);

  // A first deliverer runs while the receiver is down and is stopped with rows pending.
  receiver.Answer(500);
  auto first = MakeDeliverer(Options());
  first->Start();
  ASSERT_TRUE(WaitFor([&] { return receiver.Total() >= 2; }));
  first->Stop();
  first.reset();
  EXPECT_TRUE(receiver.Accepted("/sub").empty());
  Step(a, {InstallationState::kUpdateRequested});

  // A new deliverer on its own connection (a new process) delivers all of it.
  receiver.Answer(200);
  auto other_db = test_db().OpenAnother();
  ASSERT_TRUE(other_db) << other_db.error().ToString();
  auto other_locks = store::MakeSqlLockStore(**other_db, SystemClock::Instance());
  auto second = MakeDeliverer(Options(), other_db->get(), other_locks.get());
  second->Start();
  ASSERT_TRUE(WaitFor([&] {
    return receiver.Accepted("/sub").size() == 3 && receiver.Accepted("/hook").size() == 3;
  }));
  second->Stop();
  const std::vector<std::string> want = {"creation-requested", "stable", "update-requested"};
  EXPECT_EQ(SubscriptionStates(receiver.Accepted("/sub"), a), want);
  EXPECT_EQ(WebhookStates(receiver.Accepted("/hook"), a), want);
}

TEST_P(DelivererTest, TwoDeliverersOnOneDatabaseDeliverEachRowOnce) {
  Receiver receiver;
  for (int i = 0; i < 3; ++i) Subscribe(receiver.url("/sub"));
  AddWebhook(receiver.url("/hook"));
  auto other_db = test_db().OpenAnother();
  ASSERT_TRUE(other_db) << other_db.error().ToString();
  auto other_locks = store::MakeSqlLockStore(**other_db, SystemClock::Instance());
  DelivererOptions o1 = Options(), o2 = Options();
  o1.instance_id = "server-1";
  o2.instance_id = "server-2";
  auto d1 = MakeDeliverer(o1);
  auto d2 = MakeDeliverer(o2, other_db->get(), other_locks.get());
  d1->Start();
  d2->Start();
  for (int i = 0; i < 4; ++i) Lifecycle("inst" + std::to_string(i), {InstallationState::kStable});
  ASSERT_TRUE(WaitFor([&] {
    return receiver.Accepted("/sub").size() >= 24 && receiver.Accepted("/hook").size() >= 8;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  d1->Stop();
  d2->Stop();
  EXPECT_EQ(receiver.Accepted("/sub").size(), 24u);
  EXPECT_EQ(receiver.Accepted("/hook").size(), 8u);
  std::set<std::string> ids;
  for (const auto& r : receiver.Accepted("/sub")) ids.insert(r.Header("webhook-id"));
  EXPECT_EQ(ids.size(), 24u);
}

TEST_P(DelivererTest, GoneDisablesTheSubscription) {
  Receiver receiver;
  receiver.Answer(410);
  const std::string sub = Subscribe(receiver.url("/sub"));
  Lifecycle("alpha", {InstallationState::kStable, InstallationState::kUpdateRequested});
  auto deliverer = MakeDeliverer(Options());
  auto attempts = deliverer->RunOnce();
  ASSERT_TRUE(attempts) << attempts.error().ToString();
  EXPECT_EQ(*attempts, 1);
  auto got = subscriptions_->GetSubscription(sub);
  ASSERT_TRUE(got && *got);
  EXPECT_NE((*got)->delete_at, 0);  // soft-deleted
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status = 'failed' AND LastError "
                  "LIKE '%410%'"),
            3);
  // Later events create no deliveries for it, and nothing more is sent.
  Lifecycle("beta", {});
  auto again = deliverer->RunOnce();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(receiver.Total(), 1u);
}

TEST_P(DelivererTest, MaxAgeAndFailureThresholdGiveUp) {
  ManualClock clock;
  UseClock(clock);
  Receiver receiver;
  receiver.Answer(502);
  const std::string plain = Subscribe(receiver.url("/plain"), "");
  const std::string threshold = Subscribe(receiver.url("/threshold"), "", 500'000'000);  // 500ms
  AddWebhook(receiver.url("/hook"), "");
  Lifecycle("alpha", {});
  DelivererOptions o = Options();
  o.max_age_ms = 10'000;
  auto deliverer = MakeDeliverer(o);
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status = 'retrying'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status = 'retrying'"), 1);
  auto retry = deliverer->RunOnce();  // nothing due yet: the clock did not move
  ASSERT_TRUE(retry);
  EXPECT_EQ(*retry, 0);

  clock.Advance(1'000);  // past the threshold, not the max age
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'failed' AND Attempts = 2",
                  {threshold}),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'retrying'",
                  {plain}),
            1);
  clock.Advance(10'000);  // past the max age
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status = 'failed'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status = 'failed' AND LastError "
                  "LIKE 'HTTP 502%'"),
            1);
  EXPECT_TRUE(receiver.Accepted("/plain").empty());
}

TEST_P(DelivererTest, PolicyRefusalsFailAtOnceNetworkErrorsRetry) {
  Receiver receiver;
  const std::string loopback = Subscribe(receiver.url("/sub"));
  const std::string scheme = Subscribe(receiver.url("/scheme"));
  // Subscriptions are checked at create; an old row (or a direct edit) may still hold another
  // scheme.
  ASSERT_TRUE(
      db().Exec("UPDATE Subscription SET URL = 'ftp://example.com/x' WHERE ID = $1", {scheme}));
  AddWebhook(receiver.url("/hook"));
  Lifecycle("alpha", {InstallationState::kStable});
  DelivererOptions o = Options();
  o.targets = TargetPolicy{};  // production default: deny private ranges and loopback
  auto deliverer = MakeDeliverer(o);
  auto attempts = deliverer->RunOnce();
  ASSERT_TRUE(attempts) << attempts.error().ToString();
  EXPECT_EQ(*attempts, 6);  // every row tried once, then failed for good
  EXPECT_EQ(receiver.Total(), 0u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'failed' AND Attempts = 1 AND LastError LIKE '%127.0.0.1%not allowed%' AND "
                  "LastError LIKE '%permanent%'",
                  {loopback}),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'failed' AND LastError LIKE '%only absolute http and https%'",
                  {scheme}),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status = 'failed' AND LastError "
                  "LIKE '%not allowed%'"),
            2);
  auto again = deliverer->RunOnce();  // nothing left to retry
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(deliverer->stats().failed, 6);
  EXPECT_EQ(deliverer->stats().retries, 0);
}

TEST_P(DelivererTest, NetworkErrorsStayRetryable) {
  ManualClock clock;
  UseClock(clock);
  // Nothing listens on a port we just closed: connection refused, a network error.
  std::string dead_url;
  {
    Receiver closed;
    dead_url = closed.url("/dead");
  }
  const std::string dead = Subscribe(dead_url);
  Lifecycle("alpha", {});
  auto deliverer = MakeDeliverer(Options());  // loopback allowed
  ASSERT_TRUE(deliverer->RunOnce());
  clock.Advance(1'000);  // past the backoff
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'retrying' AND Attempts = 2 AND LastError <> '' AND LastError NOT LIKE "
                  "'%permanent%'",
                  {dead}),
            1);
  EXPECT_EQ(deliverer->stats().retries, 2);
  EXPECT_EQ(deliverer->stats().failed, 0);
}

TEST_P(DelivererTest, BackupStateChangesReachWebhooksWithEmptyEventId) {
  Receiver receiver;
  AddWebhook(receiver.url("/hook"));
  auto tx = db().Begin();
  ASSERT_TRUE(tx);
  ASSERT_TRUE(store::RunStateChangeHook({}, *clock_ptr_, **tx,
                                        {model::ResourceType::kInstallationBackup,
                                         "backup1",
                                         "n/a",
                                         "backup-requested",
                                         {{"Installation", "i1"}}}));
  ASSERT_TRUE((*tx)->Commit());
  auto deliverer = MakeDeliverer(Options());
  ASSERT_TRUE(deliverer->RunOnce());
  ASSERT_EQ(receiver.Accepted("/hook").size(), 1u);
  auto p = model::DecodeJson<model::WebhookPayload>(receiver.Accepted("/hook")[0].body);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->event_id, "");
  EXPECT_EQ(p->type, model::ResourceType::kInstallationBackup);
  EXPECT_EQ(p->extra_data.at("Installation"), "i1");
}

TEST_P(DelivererTest, RetentionPrunesOldFinishedEventsAndKeepsPendingOnes) {
  ManualClock clock;
  UseClock(clock);
  Receiver receiver;
  const std::string sub = Subscribe(receiver.url("/sub"));
  AddWebhook(receiver.url("/hook"));
  DelivererOptions o = Options();
  o.retention_ms = 1'000;
  auto deliverer = MakeDeliverer(o);
  // Old, delivered everywhere.
  const std::string alpha = Lifecycle("alpha", {});
  ASSERT_TRUE(deliverer->RunOnce());
  // Old, delivered to `sub` and the webhook, still retrying for `dead`.
  std::string dead_url;
  {
    Receiver closed;
    dead_url = closed.url("/dead");
  }
  const std::string dead = Subscribe(dead_url);
  const std::string beta = Lifecycle("beta", {});
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'retrying'",
                  {dead}),
            1);
  auto none = deliverer->Prune();
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);

  clock.Advance(2'000);
  const std::string gamma = Lifecycle("gamma", {});  // recent
  auto pruned = deliverer->Prune();
  ASSERT_TRUE(pruned) << pruned.error().ToString();
  // alpha: its event and 2 deliveries; beta: its 2 finished deliveries, not its event.
  EXPECT_EQ(*pruned, 5);
  auto events_of = [&](const std::string& resource) {
    return Count(
        "SELECT COUNT(*) FROM Event e JOIN StateChangeEvent s ON s.EventID = e.ID WHERE "
        "s.ResourceID = $1",
        {resource});
  };
  EXPECT_EQ(events_of(alpha), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM StateChangeEvent WHERE ResourceID = $1", {alpha}), 0);
  EXPECT_EQ(events_of(beta), 1);
  EXPECT_EQ(events_of(gamma), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE ResourceID = $1", {beta}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE ResourceID = $1", {gamma}), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE ResourceID = $1", {gamma}), 1);

  // Deleting the failing subscription fails its pending rows: beta's event goes at the next
  // prune; gamma's stays while its other deliveries are pending.
  ASSERT_TRUE(subscriptions_->DeleteSubscription(dead));
  clock.Advance(2'000);
  auto later = deliverer->Prune();
  ASSERT_TRUE(later) << later.error().ToString();
  EXPECT_EQ(events_of(beta), 0);
  EXPECT_EQ(events_of(gamma), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE ResourceID = $1 AND Status = "
                  "'not-attempted'",
                  {gamma}),
            1);
  (void)sub;
}

TEST_P(DelivererTest, RetentionDeletesInBatches) {
  ManualClock clock;
  UseClock(clock);
  constexpr int kOldEvents = 2'345;  // more than two batches of 1,000
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    for (int i = 0; i < kOldEvents; ++i) {
      ASSERT_TRUE(store::AppendStateChangeEvent(
          **tx, {model::ResourceType::kCluster, "cluster" + std::to_string(i), "n/a", "stable", {}},
          clock));
    }
    ASSERT_TRUE((*tx)->Commit());
  }
  clock.Advance(5'000);
  ASSERT_TRUE(store::AppendStateChangeEvent(
      db(), {model::ResourceType::kCluster, "recent", "n/a", "stable", {}}, clock));
  DelivererOptions o = Options();
  o.retention_ms = 1'000;
  auto deliverer = MakeDeliverer(o);
  auto pruned = deliverer->Prune();
  ASSERT_TRUE(pruned) << pruned.error().ToString();
  EXPECT_EQ(*pruned, kOldEvents);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM Event"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM StateChangeEvent WHERE ResourceID = 'recent'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM StateChangeEvent"), 1);
}

TEST_P(DelivererTest, DeletedTargetsFailTheirPendingDeliveries) {
  Receiver receiver;
  receiver.Answer(503);
  const std::string sub = Subscribe(receiver.url("/sub"));
  const std::string other = Subscribe(receiver.url("/other"));
  const std::string hook = AddWebhook(receiver.url("/hook"));
  Lifecycle("alpha", {InstallationState::kStable});
  auto deliverer = MakeDeliverer(Options());
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'retrying'",
                  {sub}),
            1);
  // Deleted through the stores (the API's DELETE routes): failed in the same transaction.
  ASSERT_TRUE(subscriptions_->DeleteSubscription(sub));
  ASSERT_TRUE(webhooks_->DeleteWebhook(hook));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'failed' AND LastError = 'target deleted'",
                  {sub}),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE WebhookID = $1 AND Status = "
                  "'failed' AND LastError = 'target deleted'",
                  {hook}),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status IN "
                  "('not-attempted', 'retrying')",
                  {other}),
            2);
  // Deleted behind the store's back (as a delete racing with the transaction that queued the
  // rows would leave them): the worker's retention pass fails them.
  ASSERT_TRUE(db().Exec("UPDATE Subscription SET DeleteAt = 1 WHERE ID = $1", {other}));
  ASSERT_TRUE(deliverer->Prune());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'failed' AND LastError = 'target deleted'",
                  {other}),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status IN ('not-attempted', "
                  "'retrying')"),
            0);
}

// A redeliver committing while Prune deletes the event leaves a pending row without its event
// (the claim joins Event, so it is never sent): the sweep deletes such rows and keeps the others.
TEST_P(DelivererTest, SweepDeletesPendingRowsWhoseEventIsGone) {
  Receiver receiver;
  receiver.Answer(503);
  Subscribe(receiver.url("/sub"));
  AddWebhook(receiver.url("/hook"));
  const std::string gone_id = Lifecycle("gone", {InstallationState::kStable});
  Lifecycle("kept", {InstallationState::kStable});
  auto deliverer = MakeDeliverer(Options());
  ASSERT_TRUE(deliverer->RunOnce());
  const int64_t pending_before =
      Count("SELECT COUNT(*) FROM EventDelivery WHERE Status IN ('not-attempted', 'retrying')");
  const int64_t webhook_pending_before =
      Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status IN ('not-attempted', 'retrying')");
  ASSERT_GT(pending_before, 0);
  ASSERT_GT(webhook_pending_before, 0);
  // The race's outcome: the events of one installation gone, their deliveries still pending.
  const std::string gone_events = "SELECT EventID FROM StateChangeEvent WHERE ResourceID = $1";
  const int64_t gone =
      Count("SELECT COUNT(*) FROM EventDelivery WHERE EventID IN (" + gone_events + ")", {gone_id});
  const int64_t webhook_gone = Count(
      "SELECT COUNT(*) FROM WebhookDelivery WHERE EventID IN (" + gone_events + ")", {gone_id});
  ASSERT_GT(gone, 0);
  ASSERT_GT(webhook_gone, 0);
  ASSERT_TRUE(db().Exec("DELETE FROM Event WHERE ID IN (" + gone_events + ")", {gone_id}));

  auto swept = deliverer->FailDeliveriesOfDeletedTargets();
  ASSERT_TRUE(swept) << swept.error().ToString();
  EXPECT_EQ(*swept, gone + webhook_gone);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE EventID NOT IN (SELECT ID FROM Event)"),
            0);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM WebhookDelivery WHERE EventID NOT IN (SELECT ID FROM Event)"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE Status IN ('not-attempted', "
                  "'retrying')"),
            pending_before - gone);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM WebhookDelivery WHERE Status IN ('not-attempted', "
                  "'retrying')"),
            webhook_pending_before - webhook_gone);
}

TEST_P(DelivererTest, WithoutRetentionTheWorkersStillFailRowsOfDeletedTargets) {
  Receiver receiver;
  receiver.Answer(503);
  const std::string sub = Subscribe(receiver.url("/sub"));
  Lifecycle("beta", {InstallationState::kStable});
  // Deleted behind the store's back, as a delete racing the queueing transaction leaves it.
  ASSERT_TRUE(db().Exec("UPDATE Subscription SET DeleteAt = 1 WHERE ID = $1", {sub}));
  DelivererOptions o = Options();
  o.retention_ms = 0;  // keep every row
  o.prune_every_ms = 0;
  auto deliverer = MakeDeliverer(o);
  deliverer->Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
               "'failed' AND LastError = 'target deleted'",
               {sub}) < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  deliverer->Stop();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE SubscriptionID = $1 AND Status = "
                  "'failed' AND LastError = 'target deleted'",
                  {sub}),
            2);
  EXPECT_GE(Count("SELECT COUNT(*) FROM Event"), 2);  // nothing pruned
}

TEST_P(DelivererTest, ResourceWithFailingHeadDoesNotStallOtherResources) {
  Receiver receiver;
  const std::string blocked_resource = NewId();
  receiver.AnswerBy([&](const RecordedRequest& r) {
    return r.body.find(blocked_resource) != std::string::npos ? 500 : 200;
  });
  Subscribe(receiver.url("/sub"));
  constexpr int kBlockedEvents = 150;  // more than one claim's batch (100 rows)
  constexpr int kOtherResources = 30, kEventsEach = 10;
  std::vector<std::string> others;
  {
    auto tx = db().Begin();
    ASSERT_TRUE(tx);
    for (int i = 0; i < kBlockedEvents; ++i) {
      ASSERT_TRUE(store::AppendStateChangeEvent(**tx,
                                                {model::ResourceType::kInstallation,
                                                 blocked_resource,
                                                 "s" + std::to_string(i),
                                                 "s" + std::to_string(i + 1),
                                                 {}},
                                                *clock_ptr_));
    }
    for (int r = 0; r < kOtherResources; ++r) others.push_back(NewId());
    for (int i = 0; i < kEventsEach; ++i) {
      for (const std::string& resource : others) {
        ASSERT_TRUE(store::AppendStateChangeEvent(**tx,
                                                  {model::ResourceType::kInstallation,
                                                   resource,
                                                   "s" + std::to_string(i),
                                                   "s" + std::to_string(i + 1),
                                                   {}},
                                                  *clock_ptr_));
      }
    }
    ASSERT_TRUE((*tx)->Commit());
  }
  auto deliverer = MakeDeliverer(Options());
  deliverer->Start();
  const size_t want = static_cast<size_t>(kOtherResources * kEventsEach);
  const bool all = WaitFor([&] { return receiver.Accepted("/sub").size() >= want; }, 60'000);
  deliverer->Stop();
  ASSERT_TRUE(all) << receiver.Accepted("/sub").size() << " of " << want << " delivered";
  EXPECT_EQ(receiver.Accepted("/sub").size(), want);
  std::vector<std::string> in_order;
  for (int i = 1; i <= kEventsEach; ++i) in_order.push_back("s" + std::to_string(i));
  for (const std::string& resource : others) {
    EXPECT_EQ(SubscriptionStates(receiver.Accepted("/sub"), resource), in_order) << resource;
  }
  // The blocked resource's head was retried, its later rows never sent.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM EventDelivery WHERE ResourceID = $1 AND Attempts > 0",
                  {blocked_resource}),
            1);
  EXPECT_GE(
      Count("SELECT MAX(Attempts) FROM EventDelivery WHERE ResourceID = $1", {blocked_resource}),
      2);
}

TEST_P(DelivererTest, DeliveriesAreListedAndCanBeRedelivered) {
  Receiver receiver;
  receiver.Answer(503);
  const std::string sub = Subscribe(receiver.url("/sub"));
  Lifecycle("alpha", {InstallationState::kStable});
  auto deliverer = MakeDeliverer(Options());
  ASSERT_TRUE(deliverer->RunOnce());
  store::SqlDeliveryAdmin admin(db(), *clock_ptr_);
  auto listed = admin.ListDeliveries(sub, 0, -1);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 2u);
  // Newest first; the older row was attempted and is retrying, the newer one waits behind it.
  EXPECT_EQ((*listed)[1].status, "retrying");
  EXPECT_EQ((*listed)[1].attempts, 1);
  EXPECT_EQ((*listed)[1].last_error, "HTTP 503");
  EXPECT_GT((*listed)[1].next_attempt_at, 0);
  EXPECT_EQ((*listed)[0].status, "not-attempted");
  EXPECT_EQ((*listed)[0].attempts, 0);

  receiver.Answer(200);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past the backoff
  ASSERT_TRUE(deliverer->RunOnce());
  ASSERT_EQ(receiver.Accepted("/sub").size(), 2u);
  const std::string event_id = (*listed)[1].event_id;
  auto again = admin.Redeliver(sub, event_id);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->status, "not-attempted");
  ASSERT_TRUE(deliverer->RunOnce());
  ASSERT_EQ(receiver.Accepted("/sub").size(), 3u);
  auto after = admin.ListDeliveries(sub, 1, 1);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].event_id, event_id);
  EXPECT_EQ((*after)[0].status, "delivered");
  EXPECT_EQ((*after)[0].attempts, 3);

  // A subscription created after the event gets a new row; unknown event / subscription.
  const std::string late = Subscribe(receiver.url("/late"));
  auto created = admin.Redeliver(late, event_id);
  ASSERT_TRUE(created) << created.error().ToString();
  ASSERT_TRUE(deliverer->RunOnce());
  EXPECT_EQ(receiver.Accepted("/late").size(), 1u);
  EXPECT_EQ(admin.Redeliver(sub, "nosuchevent").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(admin.Redeliver("nosuchsub", event_id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(admin.ListDeliveries("nosuchsub", 0, -1).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(subscriptions_->DeleteSubscription(late));
  EXPECT_EQ(admin.Redeliver(late, event_id).error().code, ErrorCode::kFailedPrecondition);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DelivererTest);

}  // namespace
}  // namespace cloud::events
