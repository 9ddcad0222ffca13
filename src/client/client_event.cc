// Client: webhooks, subscriptions and state-change events (spec §6.2).
#include "client/client.h"

namespace cloud::client {

Result<model::Webhook> Client::CreateWebhook(const model::CreateWebhookRequest& request) {
  return DoJson<model::Webhook>(HttpMethod::kPost, "/api/webhooks", {}, Body(request), 202);
}

Result<std::optional<model::Webhook>> Client::GetWebhook(const std::string& webhook_id) {
  return GetOptional<model::Webhook>("/api/webhook/" + Seg(webhook_id));
}

Result<std::vector<model::Webhook>> Client::GetWebhooks(const GetWebhooksRequest& request) {
  return DoJson<std::vector<model::Webhook>>(HttpMethod::kGet, "/api/webhooks", QueryOf(request),
                                             std::nullopt, 200);
}

Result<model::Subscription> Client::CreateSubscription(
    const model::CreateSubscriptionRequest& request) {
  return DoJson<model::Subscription>(HttpMethod::kPost, "/api/subscriptions", {}, Body(request),
                                     202);
}

Result<std::optional<model::Subscription>> Client::GetSubscription(
    const std::string& subscription_id) {
  return GetOptional<model::Subscription>("/api/subscription/" + Seg(subscription_id));
}

Result<std::vector<model::Subscription>> Client::ListSubscriptions(
    const ListSubscriptionsRequest& request) {
  return DoJson<std::vector<model::Subscription>>(HttpMethod::kGet, "/api/subscriptions",
                                                  QueryOf(request), std::nullopt, 200);
}

Result<std::vector<model::StateChangeEventData>> Client::ListStateChangeEvents(
    const ListStateChangeEventsRequest& request) {
  return DoJson<std::vector<model::StateChangeEventData>>(
      HttpMethod::kGet, "/api/events/state_change", QueryOf(request), std::nullopt, 200);
}

Result<std::vector<model::EventDeliveryRecord>> Client::ListSubscriptionDeliveries(
    const std::string& subscription_id, const ListSubscriptionDeliveriesRequest& request) {
  return DoJson<std::vector<model::EventDeliveryRecord>>(
      HttpMethod::kGet, "/api/subscription/" + Seg(subscription_id) + "/deliveries",
      QueryOf(request), std::nullopt, 200);
}

Result<model::EventDeliveryRecord> Client::RedeliverSubscriptionEvent(
    const std::string& subscription_id, const std::string& event_id) {
  return DoJson<model::EventDeliveryRecord>(
      HttpMethod::kPost,
      "/api/subscription/" + Seg(subscription_id) + "/redeliver/" + Seg(event_id), Query(),
      std::nullopt, 202);
}

}  // namespace cloud::client
